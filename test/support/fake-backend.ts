/**
 * A scriptable SparkBackend: records every call, lets a test report state changes as a real
 * back-end would (emit), fail submissions, and answer status() after a restart.
 */
import { z } from 'zod';
import type { Resources } from '../../runtime/domain/admission';
import type { Application } from '../../runtime/domain/application';
import type { FieldIssue } from '../../runtime/domain/errors';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type {
  BackendListener,
  BackendPlugin,
  BackendStatus,
  SparkBackend,
  SparkUiTarget,
  ConnectEndpoint,
} from '../../runtime/domain/ports';

/**
 * A back-end kind whose clusters all run on `backend` (one FakeBackend by default, shared by
 * every cluster), registered under `kind` so that clusters declared as "local" use it.
 */
export function fakeBackendPlugin(backend: FakeBackend = new FakeBackend(), kind = 'local'): BackendPlugin {
  return {
    kind,
    description: 'a fake that runs nothing (tests)',
    settings: z.record(z.string(), z.unknown()),
    create: () => backend,
  };
}

export class FakeBackend implements SparkBackend {
  readonly kind = 'local' as const;
  readonly submitted: { app: Application; config: ApplicationConfig }[] = [];
  readonly killed: string[] = [];
  /** When set, the next submit calls reject with it. */
  failSubmitWith: Error | undefined;
  /** Why it cannot start applications now, when a test sets it (see SparkBackend.refusal). */
  refusal?: () => Promise<string | undefined>;
  /** What it would refuse in a config, when a test sets it (see SparkBackend.problems). */
  problems?: (app: Application, config: ApplicationConfig) => Promise<FieldIssue[]>;
  /** What status() answers, per app id; an unknown app reads FAILED "unknown to the back-end". */
  readonly statuses = new Map<string, BackendStatus>();
  /** Driver log lines per app id. */
  readonly logs = new Map<string, string[]>();
  private readonly listeners: BackendListener[] = [];
  /** Where the Spark UI of a running application answers; unset, the back-end serves none (as the port allows). */
  sparkUiTarget?: (app: Application) => Promise<SparkUiTarget | undefined>;
  /** Kubernetes events per application; unset, the back-end has none (as the local one). */
  kubeEvents?: (app: Application) => Promise<string[]>;
  /** Where a running session's Spark Connect server answers; unset, the back-end runs no sessions. */
  connectEndpoint?: (app: Application) => Promise<ConnectEndpoint | undefined>;
  /** The cluster's History Server; unset, the runtime's. */
  historyServerUrl?: string;
  /** What the cluster holds at once, for admission; unset, unlimited. */
  declaredCapacity?: Resources;

  capacity(): Resources | undefined {
    return this.declaredCapacity;
  }

  async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    if (this.failSubmitWith) throw this.failSubmitWith;
    this.submitted.push({ app, config });
    this.statuses.set(app.id, { state: 'PENDING' });
    return { backendRef: `fake-${app.id}` };
  }

  async kill(app: Application): Promise<void> {
    this.killed.push(app.id);
  }

  async status(app: Application): Promise<BackendStatus> {
    return this.statuses.get(app.id) ?? { state: 'FAILED', reason: 'unknown to the back-end' };
  }

  async *driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
    for (const line of this.logs.get(app.id) ?? []) yield line;
    if (!options.follow) return;
    // follow: new lines appended to logs[app.id] until the app reaches a terminal state or abort
    let sent = this.logs.get(app.id)?.length ?? 0;
    while (!options.signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const lines = this.logs.get(app.id) ?? [];
      for (; sent < lines.length; sent++) yield lines[sent] as string;
      const state = this.statuses.get(app.id)?.state;
      if (state && ['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'KILLED', 'TIMED_OUT'].includes(state)) return;
    }
  }

  /** Where each application's event log is, by application id (none unless a test puts one). */
  readonly eventLogs = new Map<string, string>();

  eventLogPath(app: Application): string | undefined {
    return this.eventLogs.get(app.id);
  }

  onStatus(listener: BackendListener): void {
    this.listeners.push(listener);
  }

  /** Reports a state change as the real back-end would; resolves once listeners ran. */
  emit(appId: string, status: BackendStatus): void {
    this.statuses.set(appId, status);
    for (const listener of this.listeners) listener(appId, status);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  async close(): Promise<void> {}
}
