/**
 * The back-end of notebook applications: each one is a kernel of the runtime's Kernel Gateway, beside
 * the runtime (the kernel protocol goes through the runtime anyway). Its Spark driver runs in the
 * kernel process (local master), unless the cluster runs the notebook's Spark as a Spark Connect
 * server (with-notebooks.ts): `spark` is then a client of that server. It watches the gateway's kernels: one that disappears without being shut
 * down through the runtime was culled for idleness (TIMED_OUT) or died (FAILED).
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import type { Kernel, NotebookKernels } from '../../domain/notebook';
import type { BackendListener, BackendStatus, Clock, ConnectEndpoint, Logger, SparkBackend } from '../../domain/ports';
import { findEventLog } from '../local/app-files';
import { readLogLines } from '../local/log-lines';
import { gatewayEnv } from './kernel-env';
import { type KernelGateway, SHUTDOWN_WAIT_SECONDS } from './kernel-gateway';
import { kernelSparkConf } from './kernel-spark-conf';

export interface NotebookBackendOptions {
  gateway: KernelGateway;
  /** Each notebook's event log and driver log go under `<dir>/<appId>/`. */
  dir: string;
  /** The gateway's idle cull, to tell a culled kernel from a dead one. */
  idleTimeoutSeconds: number;
  clock: Clock;
  logger: Logger;
  /** How often the gateway's kernels are checked. @default 2000 */
  pollMillis?: number;
}

interface Tracked {
  appId: string;
  kernelId: string;
  templateId: string | undefined;
  /** Epoch ms of the kernel's last activity as the gateway last reported it. */
  lastActivityMs: number;
}

export const NOTEBOOK_BACKEND = 'notebook';

export class NotebookBackend implements SparkBackend, NotebookKernels {
  readonly kind = NOTEBOOK_BACKEND;
  private readonly listeners: BackendListener[] = [];
  /** The running kernels this runtime started, by kernel id. */
  private readonly kernels = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: NotebookBackendOptions) {}

  private paths(appId: string): { eventLogDir: string; driverLog: string } {
    const dir = join(this.options.dir, appId);
    return { eventLogDir: join(dir, 'eventlog'), driverLog: join(dir, 'driver.log') };
  }

  /** @param sparkConnect the notebook's Spark Connect server in its cluster, if it has one */
  async submit(
    app: Application,
    config: ApplicationConfig,
    sparkConnect?: ConnectEndpoint,
  ): Promise<{ backendRef: string }> {
    const running = [...this.kernels.values()].find((k) => k.appId === app.id);
    if (running) return { backendRef: running.kernelId };
    const paths = this.paths(app.id);
    mkdirSync(paths.eventLogDir, { recursive: true });
    const sparkConf = kernelSparkConf({
      appId: app.id,
      config,
      eventLogDir: paths.eventLogDir,
      maxParallelism: availableParallelism(),
      bindAddress: '127.0.0.1',
    });
    const kernel = await this.options.gateway.startKernel(
      gatewayEnv({
        sparkConf,
        env: config.driver?.envVars ?? {},
        driverLogPath: paths.driverLog,
        ...(sparkConnect ? { sparkConnectUrl: `sc://${sparkConnect.host}:${sparkConnect.port}` } : {}),
      }),
    );
    this.kernels.set(kernel.id, {
      appId: app.id,
      kernelId: kernel.id,
      templateId: app.configTemplateId,
      lastActivityMs: Date.parse(kernel.last_activity),
    });
    this.watch();
    this.options.logger.info({ appId: app.id, kernelId: kernel.id }, 'notebook kernel started');
    this.emit(app.id, { state: 'RUNNING', startedAt: this.options.clock.now().toISOString() });
    return { backendRef: kernel.id };
  }

  /** Where the kernel's channels answer, for the runtime's WebSocket relay. */
  async channels(kernelId: string, query: string): Promise<{ url: string; headers: Record<string, string> }> {
    return { url: await this.options.gateway.channelsUrl(kernelId, query), headers: this.options.gateway.headers };
  }

  appOf(kernelId: string): string | undefined {
    return this.kernels.get(kernelId)?.appId;
  }

  /** The gateway's model, named by the template the kernel was started from. */
  async model(kernelId: string): Promise<Kernel | undefined> {
    const tracked = this.kernels.get(kernelId);
    if (!tracked) return undefined;
    const answer = await this.options.gateway.request('GET', `/api/kernels/${encodeURIComponent(kernelId)}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200)
      throw new Error(`the kernel gateway did not describe kernel ${kernelId}: HTTP ${answer.status}`);
    return this.named(answer.body as Kernel, tracked);
  }

  private named(kernel: Kernel, tracked: Tracked): Kernel {
    return { ...kernel, name: tracked.templateId ?? kernel.name };
  }

  async interrupt(kernelId: string): Promise<void> {
    const answer = await this.options.gateway.request('POST', `/api/kernels/${encodeURIComponent(kernelId)}/interrupt`);
    if (answer.status !== 204)
      throw new Error(`the kernel gateway did not interrupt kernel ${kernelId}: HTTP ${answer.status}`);
  }

  async restart(kernelId: string): Promise<Kernel | undefined> {
    const tracked = this.kernels.get(kernelId);
    if (!tracked) return undefined;
    const answer = await this.options.gateway.request(
      'POST',
      `/api/kernels/${encodeURIComponent(kernelId)}/restart`,
      {},
    );
    if (answer.status !== 200)
      throw new Error(`the kernel gateway did not restart kernel ${kernelId}: HTTP ${answer.status}`);
    return this.named(answer.body as Kernel, tracked);
  }

  async shutdown(app: Application, reason: string): Promise<void> {
    if (!(await this.stopKernel(app))) return;
    this.emit(app.id, { state: 'COMPLETED', reason, endedAt: this.options.clock.now().toISOString() });
  }

  /** Forgets the kernel first, so that the watch does not read its end as a death. */
  private async stopKernel(app: Application): Promise<boolean> {
    const tracked = app.backendRef !== undefined ? this.kernels.get(app.backendRef) : undefined;
    if (!tracked) return false;
    this.kernels.delete(tracked.kernelId);
    const answer = await this.options.gateway.request('DELETE', `/api/kernels/${encodeURIComponent(tracked.kernelId)}`);
    if (answer.status !== 204 && answer.status !== 404) {
      this.kernels.set(tracked.kernelId, tracked);
      throw new Error(`the kernel gateway did not shut kernel ${tracked.kernelId} down: HTTP ${answer.status}`);
    }
    this.options.logger.info({ appId: app.id, kernelId: tracked.kernelId }, 'notebook kernel shut down');
    return true;
  }

  async kill(app: Application): Promise<void> {
    await this.stopKernel(app);
  }

  async status(app: Application): Promise<BackendStatus> {
    if (app.backendRef !== undefined && this.kernels.has(app.backendRef) && (await this.model(app.backendRef))) {
      return { state: 'RUNNING' };
    }
    return {
      state: 'FAILED',
      reason: `the notebook kernel ${app.backendRef ?? '(never started)'} is gone: the kernels of a runtime end with it`,
    };
  }

  driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
    return readLogLines(this.paths(app.id).driverLog, {
      ...options,
      ended: () => ![...this.kernels.values()].some((k) => k.appId === app.id),
    });
  }

  eventLogPath(app: Application): string | undefined {
    return findEventLog(this.paths(app.id).eventLogDir);
  }

  onStatus(listener: BackendListener): void {
    this.listeners.push(listener);
  }

  private emit(appId: string, status: BackendStatus): void {
    for (const listener of this.listeners) listener(appId, status);
  }

  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.pollMillis ?? 2000);
    this.timer.unref();
  }

  /** Kernels the gateway no longer has: culled when idle past the time-out, else dead. */
  async poll(): Promise<void> {
    if (this.polling || this.kernels.size === 0) return;
    this.polling = true;
    try {
      const listed = this.options.gateway.running ? await this.options.gateway.kernels() : [];
      const live = new Map(listed.map((k) => [k.id, k]));
      const now = this.options.clock.now().getTime();
      for (const tracked of [...this.kernels.values()]) {
        const kernel = live.get(tracked.kernelId);
        if (kernel) {
          tracked.lastActivityMs = Date.parse(kernel.last_activity);
          continue;
        }
        this.kernels.delete(tracked.kernelId);
        const idleSeconds = Math.round((now - tracked.lastActivityMs) / 1000);
        const timeout = this.options.idleTimeoutSeconds;
        // the gateway culls at its next check after the time-out: a kernel gone that long after its last activity was culled
        const culled = idleSeconds >= timeout;
        const status: BackendStatus = culled
          ? {
              state: 'TIMED_OUT',
              reason: `the kernel was idle for ${idleSeconds} s (idle time-out ${timeout} s): culled`,
            }
          : {
              state: 'FAILED',
              reason: `the kernel ${tracked.kernelId} ended unexpectedly (its process died and could not be restarted, or the kernel gateway stopped)`,
            };
        this.options.logger.info(
          { appId: tracked.appId, kernelId: tracked.kernelId, ...status },
          'notebook kernel ended',
        );
        this.emit(tracked.appId, { ...status, endedAt: new Date(now).toISOString() });
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not list the kernel gateway kernels');
    } finally {
      this.polling = false;
    }
  }

  /** Shuts every kernel down cleanly (their apps end KILLED), then the gateway. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const kernels = [...this.kernels.values()];
    this.kernels.clear();
    // all at once, each given the time its SparkSession has to stop; what remains dies with the gateway
    await Promise.all(
      kernels.map(async (tracked) => {
        await this.options.gateway
          .request(
            'DELETE',
            `/api/kernels/${encodeURIComponent(tracked.kernelId)}`,
            undefined,
            (SHUTDOWN_WAIT_SECONDS + 5) * 1000,
          )
          .catch(() => undefined);
        this.emit(tracked.appId, { state: 'KILLED', reason: 'the runtime stopped, and its notebook kernels with it' });
      }),
    );
    await this.options.gateway.close();
  }
}
