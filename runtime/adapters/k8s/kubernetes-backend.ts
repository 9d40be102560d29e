/**
 * The `kubernetes` back-end: each application is a spark-operator SparkApplication named after
 * the application id. Creating is idempotent by name, state changes come from a watch that
 * survives disconnects and expired resource versions, killing deletes the resource. It composes
 * the API client (kube-client.ts), the watch (resource-watch.ts), what was reported
 * (status-tracker.ts), the driver's log and events (driver-log-reader.ts) and the probe
 * (health-probe.ts). Sessions (type session) are SparkConnects instead (connect-sessions.ts), and
 * sql sessions a SparkApplication running the Spark Thrift Server with a Service (thrift-sessions.ts);
 * a notebook's Spark is a SparkConnect too, its kernel (beside the runtime) a client of it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Demand, Resources } from '../../domain/admission';
import type { Application } from '../../domain/application';
import type { ClusterHealth } from '../../domain/cluster';
import type { ApplicationConfig } from '../../domain/config';
import { BackendUnreachableError, DomainError, type FieldIssue } from '../../domain/errors';
import { parseMemoryMiB } from '../../domain/quantity';
import {
  type BackendListener,
  type BackendStatus,
  type Clock,
  type ConnectEndpoint,
  type Logger,
  silentLogger,
  type SparkBackend,
  type SparkUiTarget,
} from '../../domain/ports';
import { sessionKindOf } from '../../domain/session';
import { isTerminal } from '../../domain/states';
import { demandOf, KUBERNETES_POD_DEFAULTS } from '../../scheduling/demand';
import { unfitFields } from '../../scheduling/fits';
import type { KubernetesClusterSettings } from './cluster-settings';
import { ConnectSessions } from './connect-sessions';
import { DriverLogReader } from './driver-log-reader';
import { hardBoundIssues } from './hard-bounds';
import { HealthProbe } from './health-probe';
import { describeApiError, SparkOperatorClient } from './kube-client';
import { toBackendStatus } from './operator-states';
import { driverUiTarget, sessionUiProxyPath, uiServiceProxyPath } from './driver-ui';
import { eventLogDir, type RenderContext } from './render';
import { preflightIssues, sessionPreflightIssues, sparkApplicationCrd } from './preflight';
import { renderResources } from './render-yaml';
import { ResourceWatch } from './resource-watch';
import type { RetryOptions } from './retry';
import { type SparkApplication, SPARKPLANE_LABELS } from './spark-application';
import { DELETED_REASON, StatusTracker } from './status-tracker';
import { StuckStarts } from './stuck-starts';
import { isThriftServer, renderThriftServer, thriftServerConfig, ThriftSessions } from './thrift-sessions';

export interface KubernetesSparkBackendOptions {
  /** Id of the sparkplane cluster; labels every SparkApplication and selects the watched ones. */
  clusterId: string;
  /** Credentials and server, its current context being the cluster (see kubeConfigFor). */
  kubeConfig: KubeConfig;
  /** Parsed with KubernetesClusterSettings. */
  settings: KubernetesClusterSettings;
  /** Time-out of one API request, after which it is retried. @default 15000 */
  requestTimeoutMs?: number;
  /** Backoff of API calls and of watch reconnects. @default { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10000 } */
  retry?: RetryOptions;
  /** Server-side duration of one watch request before it is reopened. @default 300 */
  watchTimeoutSeconds?: number;
  /** How often the whole list is read again, as an informer's resync. @default 300000 (5 minutes) */
  resyncIntervalMs?: number;
  /** Interval of driver-pod polling while following the log of an application not yet started. @default 2000 */
  logPollIntervalMs?: number;
  /** Ended applications remembered so that re-lists do not report them again (see status-tracker.ts). @default 10000 */
  recentlyEndedLimit?: number;
  /** Interval between two readiness probes (a gRPC call) of a starting session's Spark Connect server. @default 2000 */
  sessionProbeIntervalMs?: number;
  /** Interval of the checks for stuck starts against their time limits (settings.stuckStart). @default 5000 */
  stuckCheckIntervalMs?: number;
  /** @default the system clock */
  clock?: Clock;
  /** Watch failures at warn, retried API calls at debug. @default silentLogger */
  logger?: Logger;
}

export class KubernetesSparkBackend implements SparkBackend {
  readonly kind = 'kubernetes' as const;
  /** A notebook's Spark is a SparkConnect in the cluster, its kernel a client beside the runtime. */
  readonly notebookSparkConnect = true;
  private readonly client: SparkOperatorClient;
  private readonly tracker: StatusTracker;
  private readonly watch: ResourceWatch<SparkApplication>;
  private readonly logs: DriverLogReader;
  private readonly health: HealthProbe;
  private readonly sessions: ConnectSessions;
  private readonly thriftSessions: ThriftSessions;
  private readonly stuck: StuckStarts;
  private readonly listeners: BackendListener[] = [];
  /** appId -> the Spark application id the operator reported: it names the run's event-log directory. */
  private readonly sparkAppIds = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: KubernetesSparkBackendOptions) {
    const { clusterId, kubeConfig } = options;
    const logger = options.logger ?? silentLogger;
    const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    const retry: RetryOptions = {
      ...options.retry,
      onRetry: (error, attempt, delayMs) => {
        logger.debug(
          { clusterId, attempt, delayMs, err: describeApiError(error) },
          'a Kubernetes API call failed: retrying',
        );
        options.retry?.onRetry?.(error, attempt, delayMs);
      },
    };
    this.client = new SparkOperatorClient({
      clusterId,
      kubeConfig,
      namespace: options.settings.namespace,
      requestTimeoutMs,
      retry,
    });
    this.tracker = new StatusTracker((appId, status) => this.emit(appId, status), {
      ...(options.recentlyEndedLimit !== undefined ? { recentLimit: options.recentlyEndedLimit } : {}),
    });
    this.watch = new ResourceWatch<SparkApplication>({
      kubeConfig,
      path: this.client.collectionPath,
      labelSelector: this.client.labelSelector,
      kind: 'SparkApplications',
      list: () => this.client.listApplications(),
      onList: (items) => this.onList(items),
      onEvent: (type, resource) => {
        this.noteSparkAppId(resource);
        const appId = this.appIdOf(resource);
        if (type === 'DELETED') {
          this.thriftSessions.gone(appId);
          this.tracker.gone(appId, toBackendStatus(resource.status));
        } else this.observe(resource);
        this.stuck.seen(appId, type === 'DELETED' ? undefined : resource);
      },
      retry,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      resyncIntervalMs: options.resyncIntervalMs ?? 300_000,
      openTimeoutMs: requestTimeoutMs,
      logger,
      logFields: { clusterId },
    });
    const watchOptions = {
      kubeConfig,
      retry,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      resyncIntervalMs: options.resyncIntervalMs ?? 300_000,
      openTimeoutMs: requestTimeoutMs,
    };
    this.stuck = new StuckStarts({
      client: this.client,
      tracker: this.tracker,
      settings: options.settings,
      clock: options.clock ?? { now: () => new Date() },
      logger,
      clusterId,
      watch: watchOptions,
      checkIntervalMs: options.stuckCheckIntervalMs ?? 5000,
    });
    // what sessions of either kind share: where they report, the cluster's client and settings
    const sessionContext = {
      client: this.client,
      settings: options.settings,
      tracker: this.tracker,
      clock: options.clock ?? { now: () => new Date() },
      logger,
      ...(options.sessionProbeIntervalMs !== undefined ? { probeIntervalMs: options.sessionProbeIntervalMs } : {}),
    };
    this.sessions = new ConnectSessions({
      ...sessionContext,
      clusterId,
      watch: watchOptions,
    });
    this.thriftSessions = new ThriftSessions(sessionContext);
    this.logs = new DriverLogReader(this.client, options.logPollIntervalMs ?? 2000);
    // its schema compiles meanwhile, off the event loop
    sparkApplicationCrd();
    this.health = new HealthProbe(
      this.client,
      options.clock ?? { now: () => new Date() },
      options.settings.operatorNamespace,
    );
  }

  get namespace(): string {
    return this.client.namespace;
  }

  get historyServerUrl(): string | undefined {
    return this.options.settings.historyServerUrl;
  }

  /**
   * The declared capacity (autoscaler limits), else unlimited: what is free on the nodes is not read
   * yet. Unlimited with a batch scheduler: it admits whole gangs against the cluster's room, so
   * holding them here too would only queue them twice (the quotas still apply).
   */
  capacity(): Resources | undefined {
    return this.options.settings.batchScheduler ? undefined : this.declaredCapacity();
  }

  private declaredCapacity(): Resources | undefined {
    const declared = this.options.settings.capacity;
    // the settings schema checked the quantity
    return declared && { cores: declared.cores, memoryMiB: parseMemoryMiB(declared.memory)! };
  }

  /** The resource name of an application: its backendRef "namespace/name", else its id. */
  private nameOf(app: Application): string {
    return app.backendRef?.split('/').pop() || app.id;
  }

  private renderContext(app: Application): RenderContext {
    return {
      appId: app.id,
      ...(app.jobId !== undefined ? { jobId: app.jobId } : {}),
      clusterId: this.options.clusterId,
      settings: this.options.settings,
    };
  }

  /** The gang as the rendered pods request it (the renderer sizes them with the same defaults). */
  demandOf(config: ApplicationConfig): Demand {
    return demandOf(config, KUBERNETES_POD_DEFAULTS);
  }

  /** What the cluster's API server would refuse in the SparkApplication, as config fields. */
  async problems(app: Application, config: ApplicationConfig): Promise<FieldIssue[]> {
    // what no node or cluster could hold first: such a config is not worth rendering
    const unrunnable = hardBoundIssues(config, this.options.settings);
    if (unrunnable.length > 0) return unrunnable;
    // a batch scheduler takes admission over (capacity() is undefined then), so what the declared
    // capacity can never hold is refused here; without one the admission refuses it
    const declared = this.options.settings.batchScheduler && this.declaredCapacity();
    const unfit = declared ? unfitFields(this.options.clusterId, this.demandOf(config), declared) : [];
    if (unfit.length > 0) {
      return unfit.map((issue) => ({
        path: `config.${issue.path}`,
        message: `config.${issue.path}: ${issue.message}`,
      }));
    }
    if (runsSparkConnect(app)) return sessionPreflightIssues(config, this.renderContext(app));
    if (app.type === 'session') {
      return preflightIssues(thriftServerConfig(config, this.options.settings), this.renderContext(app));
    }
    return preflightIssues(config, this.renderContext(app));
  }

  async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    const resources = runsSparkConnect(app)
      ? []
      : app.type === 'session'
        ? [renderThriftServer(config, this.renderContext(app))]
        : renderResources(config, this.renderContext(app));
    // the operator down: held here with the reason (and tried again), not created to wait unseen
    const operatorProblem = this.health.operatorProblem;
    if (operatorProblem) throw new BackendUnreachableError(`cluster ${this.options.clusterId}: ${operatorProblem}`);
    if (runsSparkConnect(app)) {
      await this.sessions.submit(app, config, this.renderContext(app));
      return { backendRef: `${this.namespace}/${app.id}` };
    }
    this.startWatching();
    for (const resource of resources) {
      if ((await this.client.createApplication(resource)) === 'created') continue;
      // already there: ours (an earlier attempt, or a retry whose first try went through) or someone else's
      const existing = await this.client.getApplication(resource.metadata.name);
      if (existing && existing.metadata.labels?.[SPARKPLANE_LABELS.appId] !== app.id) {
        throw new DomainError(
          'CONFLICT',
          `SparkApplication ${this.namespace}/${resource.metadata.name} already exists and does not belong to application ${app.id}`,
        );
      }
    }
    if (app.type === 'session') await this.thriftSessions.expose(resources[0]!);
    return { backendRef: `${this.namespace}/${app.id}` };
  }

  async kill(app: Application): Promise<void> {
    this.tracker.killRequested(app.id);
    try {
      if (runsSparkConnect(app)) await this.sessions.kill(this.nameOf(app));
      else if (app.type === 'session') await this.thriftSessions.kill(this.nameOf(app));
      else await this.client.deleteApplication(this.nameOf(app));
    } catch (error) {
      this.tracker.killFailed(app.id);
      throw error;
    }
  }

  async status(app: Application): Promise<BackendStatus> {
    const session = runsSparkConnect(app) ? await this.sessions.status(this.nameOf(app), app.id) : undefined;
    if (session) return session;
    const resource = runsSparkConnect(app) ? undefined : await this.client.getApplication(this.nameOf(app));
    if (resource) {
      // a restarted runtime reconciles through here before its watch has listed the application
      this.noteSparkAppId(resource);
      const status = toBackendStatus(resource.status);
      if (!isThriftServer(resource)) return status;
      this.thriftSessions.seen(app.id, resource, status);
      return (await this.thriftSessions.current(app.id)) ?? status;
    }
    const known = this.tracker.endOf(app.id);
    if (app.state === 'KILLED' || known?.state === 'KILLED') return { state: 'KILLED' };
    // the time to live removes finished applications: an ending already known stays
    if (isTerminal(app.state)) return { state: app.state, ...(app.stateReason ? { reason: app.stateReason } : {}) };
    return known ?? { state: 'FAILED', reason: DELETED_REASON };
  }

  driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
    if (runsSparkConnect(app)) {
      const name = this.nameOf(app);
      return this.logs.driverLog(name, options, () => this.sessions.serverPod(name));
    }
    return this.logs.driverLog(this.nameOf(app), options);
  }

  /** Where the session's server answered (Spark Connect at sessionConnectAddress, HiveServer2 at sessionThriftAddress); undefined before. */
  async connectEndpoint(app: Application): Promise<ConnectEndpoint | undefined> {
    if (runsSparkConnect(app)) return this.sessions.endpoint(app.id);
    return app.type === 'session' ? this.thriftSessions.endpoint(app.id) : undefined;
  }

  kubeEvents(app: Application): Promise<string[]> {
    return this.logs.kubeEvents(this.nameOf(app));
  }

  /**
   * The driver's UI through the API server's service proxy: spark-operator's `<name>-ui-svc`, or the
   * server Service of a session's SparkConnect.
   */
  sparkUiTarget(app: Application): Promise<SparkUiTarget> {
    const name = this.nameOf(app);
    const path = runsSparkConnect(app)
      ? sessionUiProxyPath(this.namespace, this.sessions.serverService(app.id, name))
      : uiServiceProxyPath(this.namespace, name, app.config);
    return driverUiTarget(this.options.kubeConfig, path);
  }

  /** Known once the driver has started (the operator reports its Spark application id), or from the measured metrics. */
  eventLogPath(app: Application): string | undefined {
    // a session's Spark application id is fixed at render time (spark-connect.ts)
    if (runsSparkConnect(app)) return eventLogDir(this.options.settings, app.id);
    const sparkAppId = this.sparkAppIds.get(app.id) ?? app.metrics?.sparkAppId;
    return sparkAppId ? eventLogDir(this.options.settings, sparkAppId) : undefined;
  }

  onStatus(listener: BackendListener): void {
    this.listeners.push(listener);
    this.startWatching();
  }

  /** The cluster's version, spark-operator's, and whether applications can run there. */
  probe(): Promise<ClusterHealth> {
    return this.health.probe();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.thriftSessions.close();
    await Promise.all([this.watch.stop(), this.stuck.stop(), this.sessions.close()]);
  }

  private startWatching(): void {
    this.watch.start();
    this.stuck.start();
  }

  private emit(appId: string, status: BackendStatus): void {
    for (const listener of this.listeners) listener(appId, status);
  }

  private appIdOf(resource: SparkApplication): string {
    return resource.metadata.labels?.[SPARKPLANE_LABELS.appId] ?? resource.metadata.name;
  }

  /** What the cluster says of a SparkApplication; a sql session's RUNNING waits for its Thrift Server to answer. */
  private observe(resource: SparkApplication): void {
    const appId = this.appIdOf(resource);
    const status = toBackendStatus(resource.status);
    if (isThriftServer(resource)) this.thriftSessions.seen(appId, resource, status);
    else this.tracker.observe(appId, status);
  }

  private noteSparkAppId(resource: SparkApplication): void {
    const sparkAppId = resource.status?.sparkApplicationId;
    if (sparkAppId) this.sparkAppIds.set(this.appIdOf(resource), sparkAppId);
  }

  private onList(items: SparkApplication[]): void {
    const present = new Set<string>();
    for (const resource of items) {
      const appId = this.appIdOf(resource);
      present.add(appId);
      this.noteSparkAppId(resource);
      this.observe(resource);
      this.stuck.seen(appId, resource);
    }
    // deleted while the watch was down: the list no longer has them
    this.tracker.listed(present);
    this.stuck.listed(present);
  }
}

/** A session (session.kind connect) or a notebook's Spark: a SparkConnect. A sql session is a SparkApplication. */
function runsSparkConnect(app: Application): boolean {
  return app.type === 'notebook' || (app.type === 'session' && sessionKindOf(app.config) === 'connect');
}
