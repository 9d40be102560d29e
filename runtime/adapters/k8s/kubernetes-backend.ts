/**
 * The `kubernetes` back-end: each application is a spark-operator SparkApplication named after
 * the application id. Creating is idempotent by name, state changes come from a watch that
 * survives disconnects and expired resource versions, killing deletes the resource.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import {
  ApiextensionsV1Api,
  type ConfigurationOptions,
  type CoreV1Event,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  Log,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  VersionApi,
} from '@kubernetes/client-node';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import type { BackendListener, BackendStatus, Clock, SparkBackend } from '../../domain/ports';
import { isTerminal } from '../../domain/states';
import type { KubernetesClusterSettings } from './cluster-settings';
import { toBackendStatus } from './operator-states';
import { eventLogDir } from './render';
import { renderResources } from './render-yaml';
import { ResourceWatch, type WatchEventType } from './resource-watch';
import { httpStatusOf, type RetryOptions, sleep, withRetry } from './retry';
import {
  DRIVER_CONTAINER,
  SPARK_APPLICATION_CRD,
  SPARK_APPLICATION_PLURAL,
  type SparkApplication,
  SPARK_OPERATOR_GROUP,
  SPARK_OPERATOR_VERSION,
  SPARKPLANE_LABELS,
} from './spark-application';

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
  /** @default the system clock */
  clock?: Clock;
  /** Where failures that are retried are reported. @default console.warn */
  onError?: (message: string, error: unknown) => void;
}

export type ClusterState = 'AVAILABLE' | 'PROGRESSING' | 'UNREACHABLE';

export interface ClusterProbe {
  state: ClusterState;
  /** e.g. "v1.33.2"; absent when unreachable. */
  kubernetesVersion?: string;
  operatorInstalled: boolean;
  /** From the CRD's app.kubernetes.io/version label (set by the Helm chart), when present. */
  operatorVersion?: string;
  /** Last time the cluster answered, ISO; kept across failed probes. */
  lastHeartbeat?: string;
  /** Why the state is not AVAILABLE. */
  reason?: string;
}

/** Time-out of each API request: node-fetch honours the signal this middleware sets. */
function timeoutOptions(timeoutMs: number): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** The message of a Kubernetes Status in an ApiException body, else the error's own. */
export function describeApiError(error: unknown): string {
  const status = httpStatusOf(error);
  let body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // keep the text
    }
  }
  const message =
    (body as { message?: string } | undefined)?.message ??
    (error instanceof Error ? error.message.split('\n')[0] : String(error));
  return status === undefined ? String(message) : `HTTP ${status}: ${message}`;
}

const DELETED_REASON = 'SparkApplication was deleted';

export class KubernetesSparkBackend implements SparkBackend {
  readonly kind = 'kubernetes' as const;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly requestOptions: ConfigurationOptions;
  private readonly retry: RetryOptions;
  private readonly listeners: BackendListener[] = [];
  /** Last status reported per application, to report changes only. */
  private readonly reported = new Map<string, BackendStatus>();
  private readonly killed = new Set<string>();
  private readonly watch: ResourceWatch;
  private lastHeartbeat: string | undefined;
  private closed = false;

  constructor(private readonly options: KubernetesSparkBackendOptions) {
    const { kubeConfig } = options;
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.requestOptions = timeoutOptions(options.requestTimeoutMs ?? 15_000);
    const onError = options.onError ?? ((message, error) => console.warn(`${message}: ${describeApiError(error)}`));
    this.retry = {
      ...options.retry,
      onRetry: (error, attempt, delayMs) => {
        onError(`Kubernetes API call failed (attempt ${attempt}), retrying in ${delayMs} ms`, error);
        options.retry?.onRetry?.(error, attempt, delayMs);
      },
    };
    this.watch = new ResourceWatch({
      kubeConfig,
      path: `/apis/${SPARK_OPERATOR_GROUP}/${SPARK_OPERATOR_VERSION}/namespaces/${this.namespace}/${SPARK_APPLICATION_PLURAL}`,
      labelSelector: `${SPARKPLANE_LABELS.clusterId}=${options.clusterId}`,
      list: () => this.list(),
      onList: (items) => this.onList(items),
      onEvent: (type, object) => this.onEvent(type, object),
      retry: this.retry,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      resyncIntervalMs: options.resyncIntervalMs ?? 300_000,
      openTimeoutMs: options.requestTimeoutMs ?? 15_000,
      onError,
    });
  }

  get namespace(): string {
    return this.options.settings.namespace;
  }

  private get coordinates() {
    return {
      group: SPARK_OPERATOR_GROUP,
      version: SPARK_OPERATOR_VERSION,
      namespace: this.namespace,
      plural: SPARK_APPLICATION_PLURAL,
    };
  }

  /** The resource name of an application: its backendRef "namespace/name", else its id. */
  private nameOf(app: Application): string {
    return app.backendRef?.split('/').pop() || app.id;
  }

  private call<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, this.retry);
  }

  private unavailable(action: string, error: unknown): DomainError {
    return new DomainError(
      'BACKEND_UNAVAILABLE',
      `cluster ${this.options.clusterId}: ${action} failed: ${describeApiError(error)}`,
    );
  }

  async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    const resources = renderResources(config, {
      appId: app.id,
      jobId: app.jobId,
      clusterId: this.options.clusterId,
      settings: this.options.settings,
    });
    this.watch.start();
    for (const resource of resources) {
      try {
        await this.call(() =>
          this.custom.createNamespacedCustomObject({ ...this.coordinates, body: resource }, this.requestOptions),
        );
      } catch (error) {
        if (httpStatusOf(error) !== 409)
          throw this.unavailable(`creating SparkApplication ${resource.metadata.name}`, error);
        // already there: ours (an earlier attempt, or a retry whose first try went through) or someone else's
        const existing = await this.get(resource.metadata.name);
        const owner = existing?.metadata.labels?.[SPARKPLANE_LABELS.appId];
        if (existing && owner !== app.id) {
          throw new DomainError(
            'CONFLICT',
            `SparkApplication ${this.namespace}/${resource.metadata.name} already exists and does not belong to application ${app.id}`,
          );
        }
      }
    }
    return { backendRef: `${this.namespace}/${app.id}` };
  }

  async kill(app: Application): Promise<void> {
    const name = this.nameOf(app);
    this.killed.add(name);
    try {
      await this.call(() =>
        this.custom.deleteNamespacedCustomObject({ ...this.coordinates, name }, this.requestOptions),
      );
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw this.unavailable(`deleting SparkApplication ${name}`, error);
    }
  }

  async status(app: Application): Promise<BackendStatus> {
    const name = this.nameOf(app);
    const resource = await this.get(name);
    if (resource) return toBackendStatus(resource.status);
    if (this.killed.has(name) || app.state === 'KILLED') return { state: 'KILLED' };
    // the time to live removes finished applications: an ending already known stays
    if (isTerminal(app.state)) return { state: app.state, ...(app.stateReason ? { reason: app.stateReason } : {}) };
    return { state: 'FAILED', reason: DELETED_REASON };
  }

  async *driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
    const pod = await this.waitForDriverPod(app, options);
    if (!pod) return;
    if (!options.follow) {
      let text: string;
      try {
        text = await this.call(() =>
          this.core.readNamespacedPodLog(
            { name: pod, namespace: this.namespace, container: DRIVER_CONTAINER },
            this.requestOptions,
          ),
        );
      } catch (error) {
        if (httpStatusOf(error) === 404) return;
        throw this.unavailable(`reading the log of pod ${pod}`, error);
      }
      yield* text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
      return;
    }
    const stream = new PassThrough();
    let request: AbortController;
    try {
      request = await new Log(this.options.kubeConfig).log(this.namespace, pod, DRIVER_CONTAINER, stream, {
        follow: true,
      });
    } catch (error) {
      if (httpStatusOf(error) === 404) return; // the pod is gone: nothing more to read
      throw this.unavailable(`following the log of pod ${pod}`, error);
    }
    const abort = () => {
      request.abort();
      stream.end();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) yield line;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      request.abort();
    }
  }

  /** The driver pod's name once it exists; with follow, waits for it while the app has not ended. */
  private async waitForDriverPod(app: Application, options: { follow: boolean; signal?: AbortSignal }) {
    const interval = this.options.logPollIntervalMs ?? 2000;
    for (;;) {
      const resource = await this.get(this.nameOf(app));
      const pod = resource?.status?.driverInfo?.podName;
      if (pod) return pod;
      const ended = !resource || isTerminal(toBackendStatus(resource.status).state);
      if (!options.follow || ended || options.signal?.aborted) return undefined;
      try {
        await sleep(interval, options.signal);
      } catch {
        return undefined;
      }
    }
  }

  /**
   * The Kubernetes events of the application's SparkApplication and driver pod, oldest first, one
   * line each ("<time> <type> <reason> <kind>/<name>: <message>"): why a pod is pending, OOM kills...
   */
  async kubeEvents(app: Application): Promise<string[]> {
    const name = this.nameOf(app);
    const objects = [name, `${name}-driver`];
    const resource = await this.get(name);
    const pod = resource?.status?.driverInfo?.podName;
    if (pod && !objects.includes(pod)) objects.push(pod);
    const lists = await Promise.all(
      objects.map((object) =>
        this.call(() =>
          this.core.listNamespacedEvent(
            { namespace: this.namespace, fieldSelector: `involvedObject.name=${object}` },
            this.requestOptions,
          ),
        ).catch((error: unknown) => {
          throw this.unavailable(`listing the events of ${object}`, error);
        }),
      ),
    );
    const timeOf = (e: CoreV1Event) =>
      new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString();
    return lists
      .flatMap((list) => list.items)
      .sort((a, b) => timeOf(a).localeCompare(timeOf(b)))
      .map(
        (e) =>
          `${timeOf(e)} ${e.type ?? 'Normal'} ${e.reason ?? ''} ${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}: ${e.message ?? ''}`,
      );
  }

  eventLogPath(app: Application): string | undefined {
    return eventLogDir(this.options.settings, app.id);
  }

  onStatus(listener: BackendListener): void {
    this.listeners.push(listener);
    this.watch.start();
  }

  /** Reads the cluster's version and whether the SparkApplication CRD is installed. */
  async probe(): Promise<ClusterProbe> {
    const { kubeConfig } = this.options;
    let kubernetesVersion: string;
    try {
      const version = await withRetry(() => kubeConfig.makeApiClient(VersionApi).getCode(this.requestOptions), {
        ...this.retry,
        maxAttempts: 2,
      });
      kubernetesVersion = version.gitVersion;
    } catch (error) {
      return {
        state: 'UNREACHABLE',
        operatorInstalled: false,
        ...(this.lastHeartbeat ? { lastHeartbeat: this.lastHeartbeat } : {}),
        reason: describeApiError(error),
      };
    }
    this.lastHeartbeat = (this.options.clock?.now() ?? new Date()).toISOString();
    try {
      const crd = await this.call(() =>
        kubeConfig
          .makeApiClient(ApiextensionsV1Api)
          .readCustomResourceDefinition({ name: SPARK_APPLICATION_CRD }, this.requestOptions),
      );
      const served = crd.spec.versions.some((v) => v.name === SPARK_OPERATOR_VERSION && v.served);
      const operatorVersion = crd.metadata?.labels?.['app.kubernetes.io/version'];
      return {
        state: served ? 'AVAILABLE' : 'PROGRESSING',
        kubernetesVersion,
        operatorInstalled: served,
        ...(operatorVersion ? { operatorVersion } : {}),
        lastHeartbeat: this.lastHeartbeat,
        ...(served ? {} : { reason: `CRD ${SPARK_APPLICATION_CRD} does not serve ${SPARK_OPERATOR_VERSION}` }),
      };
    } catch (error) {
      const missing = httpStatusOf(error) === 404;
      return {
        state: missing ? 'PROGRESSING' : 'UNREACHABLE',
        kubernetesVersion,
        operatorInstalled: false,
        lastHeartbeat: this.lastHeartbeat,
        reason: missing ? `spark-operator is not installed (no CRD ${SPARK_APPLICATION_CRD})` : describeApiError(error),
      };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watch.stop();
  }

  private async get(name: string): Promise<SparkApplication | undefined> {
    try {
      return (await this.call(() =>
        this.custom.getNamespacedCustomObject({ ...this.coordinates, name }, this.requestOptions),
      )) as SparkApplication;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw this.unavailable(`reading SparkApplication ${name}`, error);
    }
  }

  private async list(): Promise<{ items: SparkApplication[]; resourceVersion: string }> {
    const list = (await this.custom.listNamespacedCustomObject(
      { ...this.coordinates, labelSelector: `${SPARKPLANE_LABELS.clusterId}=${this.options.clusterId}` },
      this.requestOptions,
    )) as { items: SparkApplication[]; metadata: { resourceVersion: string } };
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  private appIdOf(resource: SparkApplication): string {
    return resource.metadata.labels?.[SPARKPLANE_LABELS.appId] ?? resource.metadata.name;
  }

  private report(appId: string, status: BackendStatus): void {
    const last = this.reported.get(appId);
    if (last && last.state === status.state && last.reason === status.reason) return;
    this.reported.set(appId, status);
    for (const listener of this.listeners) listener(appId, status);
  }

  private onEvent(type: WatchEventType, resource: SparkApplication): void {
    const appId = this.appIdOf(resource);
    if (type !== 'DELETED') return this.report(appId, toBackendStatus(resource.status));
    this.onDeleted(appId, resource.metadata.name);
  }

  private onDeleted(appId: string, name: string): void {
    const last = this.reported.get(appId);
    if (this.killed.has(name)) this.report(appId, { state: 'KILLED' });
    else if (!last || !isTerminal(last.state)) this.report(appId, { state: 'FAILED', reason: DELETED_REASON });
  }

  private onList(items: SparkApplication[]): void {
    const present = new Set<string>();
    for (const resource of items) {
      const appId = this.appIdOf(resource);
      present.add(appId);
      this.report(appId, toBackendStatus(resource.status));
    }
    // deleted while the watch was down: the list no longer has them
    for (const appId of [...this.reported.keys()]) if (!present.has(appId)) this.onDeleted(appId, appId);
  }
}
