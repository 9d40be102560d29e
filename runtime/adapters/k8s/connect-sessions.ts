/**
 * Sessions on Kubernetes: each is a spark-operator SparkConnect named after the application.
 * Created and deleted like SparkApplications, followed by a watch of their own (SparkConnects are
 * another collection), and RUNNING only once the server answers a real gRPC call through the
 * address the runtime reaches it by (connect-states.ts, session-readiness.ts). One stuck before its
 * start fails as a SparkApplication does (stuck-start.ts), told by its server pod, which a watch of
 * their own follows (the operator labels it spark-role=connect-server, its template with ours).
 * The watches start with the first session (created, or read back after a restart), so a cluster
 * whose operator predates SparkConnect is not polled for them.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import type { BackendStatus, ConnectEndpoint } from '../../domain/ports';
import { sparkConnectAnswers } from '../connect/connect-probe';
import type { KubernetesClusterSettings } from './cluster-settings';
import { connectAddress, connectStatus } from './connect-states';
import { DriverPods } from './driver-pods';
import type { SparkOperatorClient } from './kube-client';
import type { RenderContext } from './render';
import { ResourceWatch } from './resource-watch';
import { SessionReadiness, type SessionReadinessContext } from './session-readiness';
import type { RetryOptions } from './retry';
import { renderSparkConnect, type SparkConnectObject } from './spark-connect';
import { SPARKPLANE_LABELS } from './spark-application';
import { queuedByScheduler, startingConnectOf, stuckStartReason } from './stuck-start';

export interface ConnectSessionsOptions extends SessionReadinessContext {
  client: SparkOperatorClient;
  settings: KubernetesClusterSettings;
  clusterId: string;
  watch: {
    kubeConfig: KubeConfig;
    retry: RetryOptions;
    watchTimeoutSeconds: number;
    resyncIntervalMs: number;
    openTimeoutMs: number;
  };
}

export class ConnectSessions {
  private readonly watch: ResourceWatch<SparkConnectObject>;
  /** The last state of each session's SparkConnect the watch delivered. */
  private readonly latest = new Map<string, SparkConnectObject>();
  private readonly readiness: SessionReadiness;
  private readonly serverPods: DriverPods;

  constructor(private readonly options: ConnectSessionsOptions) {
    const { client, watch, logger, clusterId } = options;
    this.readiness = new SessionReadiness(
      { name: 'Spark Connect', answers: sparkConnectAnswers, remove: (name) => client.deleteConnect(name) },
      options,
    );
    this.watch = new ResourceWatch<SparkConnectObject>({
      ...watch,
      path: client.connectCollectionPath,
      labelSelector: client.labelSelector,
      kind: 'SparkConnects',
      list: () => client.listConnects(),
      onList: (items) => {
        const present = new Set<string>();
        for (const resource of items) {
          present.add(appIdOf(resource));
          this.seen(resource);
        }
        for (const appId of [...this.latest.keys()]) if (!present.has(appId)) this.gone(appId);
      },
      onEvent: (type, resource) => (type === 'DELETED' ? this.gone(appIdOf(resource)) : this.seen(resource)),
      logger,
      logFields: { clusterId },
    });
    // no onChange: the readiness probe reads a session's server pod at each round
    this.serverPods = new DriverPods({
      ...watch,
      client,
      labelSelector: client.serverPodSelector,
      kind: 'server pods',
      logger,
      logFields: { clusterId },
    });
  }

  async submit(app: Application, config: ApplicationConfig, context: RenderContext): Promise<void> {
    const resource = renderSparkConnect(config, context);
    this.startWatches();
    if ((await this.options.client.createConnect(resource)) === 'created') return;
    const existing = await this.options.client.getConnect(resource.metadata.name);
    if (existing && existing.metadata.labels[SPARKPLANE_LABELS.appId] !== app.id) {
      throw new DomainError(
        'CONFLICT',
        `SparkConnect ${resource.metadata.namespace}/${resource.metadata.name} already exists and does not belong to session ${app.id}`,
      );
    }
  }

  /** Deletes the SparkConnect: the operator removes its server and executors with it. */
  async kill(name: string): Promise<void> {
    await this.options.client.deleteConnect(name);
  }

  /**
   * What the cluster says of the session now, a Ready server asked first (a restart reconciles
   * through here, and starts following it).
   */
  async status(name: string, appId: string): Promise<BackendStatus | undefined> {
    this.startWatches();
    const resource = await this.options.client.getConnect(name);
    if (!resource) return undefined;
    this.seen(resource);
    return this.readiness.current(appId);
  }

  /** Where the server answered, once it has. */
  endpoint(appId: string): ConnectEndpoint | undefined {
    return this.readiness.endpoint(appId);
  }

  /** The name of the session's server Service, as the operator reported it (else its default). */
  serverService(appId: string, name: string): string {
    return this.latest.get(appId)?.status?.server?.serviceName ?? `${name}-server`;
  }

  /** The server pod's name, and whether the session has ended (for its log). */
  async serverPod(name: string): Promise<{ pod?: string; ended: boolean }> {
    const resource = await this.options.client.getConnect(name);
    if (!resource) return { ended: true };
    const pod = resource.status?.server?.podName;
    return { ...(pod ? { pod } : {}), ended: resource.status?.state === 'Failed' };
  }

  async close(): Promise<void> {
    this.readiness.close();
    await Promise.all([this.watch.stop(), this.serverPods.stop()]);
  }

  private startWatches(): void {
    this.watch.start();
    this.serverPods.start();
  }

  private seen(resource: SparkConnectObject): void {
    const appId = appIdOf(resource);
    this.latest.set(appId, resource);
    const address = connectAddress(this.options.settings.sessionConnectAddress, resource);
    const shown = address && `${address.host}:${address.port}`;
    this.readiness.seen(appId, {
      status: (answered) => connectStatus(resource, { answered, ...(shown ? { address: shown } : {}) }),
      askable: resource.status?.state === 'Ready',
      address,
      name: resource.metadata.name,
      stuck: () => this.stuckReason(appId, resource),
    });
  }

  /** Why the session's server pod cannot start, once it is stuck; nothing before the pods are listed. */
  private stuckReason(appId: string, resource: SparkConnectObject): string | undefined {
    const { settings, clock } = this.options;
    const serverPod = this.serverPods.of(appId);
    if (!serverPod && !this.serverPods.listed) return undefined;
    return stuckStartReason({
      application: startingConnectOf(resource),
      ...(serverPod ? { driverPod: serverPod } : {}),
      nowMs: clock.now().getTime(),
      limits: settings.stuckStart,
      queuedByScheduler: queuedByScheduler(settings),
    });
  }

  private gone(appId: string): void {
    this.latest.delete(appId);
    this.readiness.gone(appId);
    this.options.tracker.gone(appId);
  }
}

function appIdOf(resource: SparkConnectObject): string {
  return resource.metadata.labels?.[SPARKPLANE_LABELS.appId] ?? resource.metadata.name;
}
