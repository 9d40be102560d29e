/**
 * The real service as a child process (`bin/sparkplane.js serve`), on a data directory and a
 * database of the caller's choosing, with a fake spark-submit (a shell script) so that the
 * machine, not Spark, is not the bottleneck: for the fault suite and bench/recovery.ts, which
 * kill it -9, restart it, and take its disk or database away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROCESS_ADMIN_TOKEN = 'fault-suite-admin-token-0123456789';
const BIN = fileURLToPath(new URL('../../bin/sparkplane.js', import.meta.url));

/**
 * A Spark install whose spark-submit runs `script` (sh) instead of Spark, and the application
 * config that names its main file. `script` sees the real spark-submit arguments in "$@".
 */
export function fakeSparkHome(
  dir: string,
  script: string,
): { sparkHome: string; application: Record<string, unknown> } {
  const sparkHome = join(dir, 'spark');
  mkdirSync(join(sparkHome, 'bin'), { recursive: true });
  writeFileSync(join(sparkHome, 'bin', 'spark-submit'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(sparkHome, 'bin', 'spark-submit'), 0o755);
  mkdirSync(join(sparkHome, 'app'), { recursive: true });
  writeFileSync(join(sparkHome, 'app', 'main.py'), '# never run: the fake spark-submit does not start Spark\n');
  return { sparkHome, application: { type: 'Python', mainApplicationFile: 'spark-home://app/main.py' } };
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface ListedApplication {
  id: string;
  state: string;
  stateReason?: string;
  backendRef?: string;
  updatedAt: string;
}

export interface ServiceProcessOptions {
  dataDir: string;
  sparkHome: string;
  /** postgres://...; absent: SQLite in the data directory. */
  databaseUrl?: string;
  env?: Record<string, string>;
}

export class ServiceProcess {
  child: ChildProcess;
  readonly url: string;
  /** Every answer's status of every request made through api(), in order (to find any 500). */
  readonly statuses: number[] = [];

  private constructor(
    private readonly options: ServiceProcessOptions,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = this.spawn();
  }

  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const service = new ServiceProcess(options, await freePort());
    await service.until('/readyz', (code) => code === 200);
    return service;
  }

  private spawn(): ChildProcess {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', String(this.port), '--data-dir', this.options.dataDir],
      {
        env: {
          ...process.env,
          SPARK_HOME: this.options.sparkHome,
          SPARKPLANE_ADMIN_TOKEN: PROCESS_ADMIN_TOKEN,
          SPARKPLANE_LOG_LEVEL: 'warn',
          ...(this.options.databaseUrl ? { SPARKPLANE_DATABASE_URL: this.options.databaseUrl } : {}),
          ...this.options.env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    return child;
  }

  /** What the process wrote (its log of warnings and errors, as JSON lines). */
  log = '';

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }

  /** Starts it again on the same port, data directory and database; resolves once it answers. */
  async restart(): Promise<void> {
    await this.kill9();
    this.child = this.spawn();
    await this.until('/healthz', (code) => code === 200);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }

  /** A request with the admin token; a refused connection answers status 0. */
  async api(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
    try {
      const response = await fetch(`${this.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      this.statuses.push(response.status);
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    } catch {
      return { status: 0, body: undefined };
    }
  }

  /** Polls GET `path` until its status satisfies `accept`; the milliseconds it took. */
  async until(path: string, accept: (status: number) => boolean, limitMs = 120_000): Promise<number> {
    const started = performance.now();
    for (;;) {
      let text = '';
      const status = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5_000) }).then(
        async (response) => {
          text = await response.text();
          return response.status;
        },
        () => 0,
      );
      if (accept(status)) return performance.now() - started;
      if (performance.now() - started > limitMs) {
        throw new Error(
          `${path} did not answer as expected within ${limitMs / 1000}s (last: ${status} ${text}); log:\n${this.log.slice(-4000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The readiness answer: 200 or 503, with its reasons. */
  async readiness(): Promise<{ status: number; reasons: string[] }> {
    const { status, body } = await this.api('/readyz');
    return { status, reasons: (body as { reasons?: string[] } | undefined)?.reasons ?? [] };
  }

  /** Every application, page after page (id and state). */
  async applications(): Promise<ListedApplication[]> {
    const all: ListedApplication[] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await this.api(`/api/v1/applications?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      if (status !== 200) throw new Error(`listing the applications answered ${status}: ${JSON.stringify(body)}`);
      const page = body as { items: ListedApplication[]; nextCursor?: string };
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }
}
