/**
 * The Jupyter Kernel Gateway (jupyter_kernel_gateway, pinned in requirements-jupyter.txt) as a
 * child process of the runtime on 127.0.0.1, started on first use: it launches, restarts,
 * interrupts and culls the kernels and speaks the kernel protocol; the runtime is its only client
 * (a secret token of its own) and its clients' only way in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kernel } from '../../domain/notebook';
import type { Logger } from '../../domain/ports';
import { stopGroup } from '../local/process-group';
import { freePort } from '../local/spark-ui-port';
import { UPSTREAM_KERNEL } from './kernelspecs';

const KERNEL_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kernel');

export interface KernelGatewayOptions {
  /** The Python of the venv that holds jupyter_kernel_gateway (.venv/jupyter/bin/python). */
  gatewayPython: string;
  /**
   * The Python the kernels run with (pyspark's, with ipykernel: .venv/bin/python) and the
   * environment they inherit (JAVA_HOME, SPARK_HOME...: nothing else of the runtime's reaches
   * them); read when the gateway starts, and throws when Spark is not installed.
   */
  kernel: () => { python: string; env: Record<string, string> };
  /** Kernelspec, connection files and the gateway's own settings go under it. */
  workDir: string;
  /** A kernel idle this long is shut down. */
  idleTimeoutSeconds: number;
  logger: Logger;
  /** @default 60 */
  startTimeoutSeconds?: number;
}

export interface GatewayAnswer {
  status: number;
  body: unknown;
}

/** How long a kernel may take to stop (its SparkSession stops and writes the end of its event log). */
export const SHUTDOWN_WAIT_SECONDS = 30;
const REQUEST_TIMEOUT_MS = 120_000;

export class KernelGateway {
  private child: ChildProcess | undefined;
  private starting: Promise<string> | undefined;
  private readonly token = randomBytes(24).toString('base64url');
  private stderrTail: string[] = [];

  constructor(private readonly options: KernelGatewayOptions) {}

  /** The gateway's base URL, starting it first if it is not running. */
  baseUrl(): Promise<string> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /** Headers of every request to the gateway. */
  get headers(): Record<string, string> {
    return { authorization: `token ${this.token}` };
  }

  /** @param timeoutMs @default 120000 */
  async request(method: string, path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<GatewayAnswer> {
    const base = await this.baseUrl();
    const response = await fetch(`${base}${path}`, {
      // a kernel start waits for the kernel's process, a shutdown for its SparkSession to stop: bounded all the same
      signal: AbortSignal.timeout(timeoutMs),
      method,
      headers: { ...this.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** Starts a kernel with the env (the gateway passes only KERNEL_* entries on). */
  async startKernel(env: Record<string, string>): Promise<Kernel> {
    const answer = await this.request('POST', '/api/kernels', { name: UPSTREAM_KERNEL, env });
    if (answer.status !== 201) throw new Error(`the kernel gateway did not start a kernel: ${describe(answer)}`);
    return Kernel.parse(answer.body);
  }

  async kernels(): Promise<Kernel[]> {
    const answer = await this.request('GET', '/api/kernels');
    if (answer.status !== 200) throw new Error(`the kernel gateway did not list its kernels: ${describe(answer)}`);
    return Kernel.array().parse(answer.body);
  }

  /** Ws URL of a kernel's channels. */
  async channelsUrl(kernelId: string, query: string): Promise<string> {
    const base = (await this.baseUrl()).replace(/^http/, 'ws');
    return `${base}/api/kernels/${encodeURIComponent(kernelId)}/channels${query}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async start(): Promise<string> {
    const { workDir } = this.options;
    const kernel = this.options.kernel();
    const specDir = join(workDir, 'jupyter', 'kernels', UPSTREAM_KERNEL);
    mkdirSync(specDir, { recursive: true });
    mkdirSync(join(workDir, 'runtime'), { recursive: true });
    mkdirSync(join(workDir, 'config'), { recursive: true });
    writeFileSync(
      join(specDir, 'kernel.json'),
      JSON.stringify({
        argv: [kernel.python, join(KERNEL_DIR, 'launcher.py'), '-f', '{connection_file}'],
        display_name: 'PySpark (sparkplane)',
        language: 'python',
        interrupt_mode: 'signal',
      }),
    );
    const port = await freePort('127.0.0.1');
    // the gateway takes whole seconds
    const idle = Math.max(1, Math.round(this.options.idleTimeoutSeconds));
    const args = [
      '-m',
      'kernel_gateway',
      '--KernelGatewayApp.ip=127.0.0.1',
      `--KernelGatewayApp.port=${port}`,
      '--KernelGatewayApp.port_retries=0',
      '--JupyterWebsocketPersonality.list_kernels=True',
      `--KernelGatewayApp.default_kernel_name=${UPSTREAM_KERNEL}`,
      // idle means no message to or from the kernel, whether a notebook is connected or not
      `--MappingKernelManager.cull_idle_timeout=${idle}`,
      `--MappingKernelManager.cull_interval=${Math.max(1, Math.min(60, Math.floor(idle / 4)))}`,
      '--MappingKernelManager.cull_connected=True',
      `--KernelManager.shutdown_wait_time=${SHUTDOWN_WAIT_SECONDS}`,
    ];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? workDir,
      ...kernel.env,
      JUPYTER_PATH: join(workDir, 'jupyter'),
      JUPYTER_DATA_DIR: join(workDir, 'jupyter'),
      JUPYTER_RUNTIME_DIR: join(workDir, 'runtime'),
      JUPYTER_CONFIG_DIR: join(workDir, 'config'),
      KG_AUTH_TOKEN: this.token,
      KG_ENV_PROCESS_WHITELIST: ['HOME', 'LANG', 'LC_ALL', ...Object.keys(kernel.env)].join(','),
    };
    const child = spawn(this.options.gatewayPython, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.stderrTail = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l.trim() !== '')) {
        this.stderrTail = [...this.stderrTail.slice(-19), line];
        this.options.logger.debug({ line }, 'kernel gateway');
      }
    });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('exit', (code, signal) => resolve(`exit code ${code ?? signal}`));
    });
    void exited.then((how) => {
      if (this.child === child) {
        this.child = undefined;
        this.starting = undefined;
        this.options.logger.warn({ how, stderr: this.stderrTail.slice(-5) }, 'the kernel gateway exited');
      }
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (this.options.startTimeoutSeconds ?? 60) * 1000;
    let ended: string | undefined;
    void exited.then((how) => (ended = how));
    while (ended === undefined && Date.now() < deadline) {
      const answer = await fetch(`${base}/api`, { headers: this.headers }).catch(() => undefined);
      if (answer?.ok) {
        this.options.logger.info({ url: base, pid: child.pid }, 'kernel gateway started');
        return base;
      }
      await sleep(200);
    }
    await this.close();
    throw new Error(
      `the kernel gateway (${this.options.gatewayPython} -m kernel_gateway) did not start${ended ? `: ${ended}` : ' within its time'}${this.stderrTail.length > 0 ? `: ${this.stderrTail.slice(-3).join(' | ')}` : ''}`,
    );
  }

  /** Stops the gateway and every kernel with it (its process group). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    if (child?.pid !== undefined && child.exitCode === null) await stopGroup(child.pid, 10_000);
  }
}

function describe(answer: GatewayAnswer): string {
  const body = answer.body as { message?: string; reason?: string } | undefined;
  return `HTTP ${answer.status}${body?.message ? `: ${body.message}` : body?.reason ? `: ${body.reason}` : ''}`;
}
