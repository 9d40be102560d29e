/**
 * Sessions on Kubernetes: each is a spark-operator SparkConnect named after the application.
 * Created and deleted like SparkApplications, followed by a watch of their own (SparkConnects are
 * another collection), and RUNNING only once the server answers a real gRPC call through the
 * address the runtime reaches it by (connect-states.ts). A session whose server has not answered
 * within sessionReadySeconds of being first seen is deleted, FAILED with what was last known.
 * The watch starts with the first session (created, or read back after a restart), so a cluster
 * whose operator predates SparkConnect is not polled for them.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import type { Clock, ConnectEndpoint, Logger } from '../../domain/ports';
import { isTerminal } from '../../domain/states';
import { sparkConnectAnswers } from '../connect/connect-probe';
import type { KubernetesClusterSettings } from './cluster-settings';
import { connectAddress, connectStatus } from './connect-states';
import type { SparkOperatorClient } from './kube-client';
import type { RenderContext } from './render';
import { ResourceWatch } from './resource-watch';
import type { RetryOptions } from './retry';
import { renderSparkConnect, type SparkConnectObject } from './spark-connect';
import { SPARKPLANE_LABELS } from './spark-application';
import type { StatusTracker } from './status-tracker';

export interface ConnectSessionsOptions {
  client: SparkOperatorClient;
  settings: KubernetesClusterSettings;
  tracker: StatusTracker;
  clock: Clock;
  logger: Logger;
  clusterId: string;
  watch: {
    kubeConfig: KubeConfig;
    retry: RetryOptions;
    watchTimeoutSeconds: number;
    resyncIntervalMs: number;
    openTimeoutMs: number;
  };
  /** Interval between two readiness probes of a session. @default 2000 */
  probeIntervalMs?: number;
}

interface Probing {
  firstSeenMs: number;
  /** Set once the server answered: where. */
  answered?: ConnectEndpoint;
}

export class ConnectSessions {
  private readonly watch: ResourceWatch<SparkConnectObject>;
  /** The last state of each session's SparkConnect the watch delivered. */
  private readonly latest = new Map<string, SparkConnectObject>();
  private readonly probes = new Map<string, Probing>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: ConnectSessionsOptions) {
    const { client, watch, logger, clusterId } = options;
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
  }

  async submit(app: Application, config: ApplicationConfig, context: RenderContext): Promise<void> {
    const resource = renderSparkConnect(config, context);
    this.watch.start();
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

  /** What the cluster says of the session now (a restart reconciles through here, and starts following it). */
  async status(name: string, appId: string) {
    this.watch.start();
    const resource = await this.options.client.getConnect(name);
    if (!resource) return undefined;
    this.seen(resource);
    return connectStatus(resource, { answered: this.probes.get(appId)?.answered !== undefined });
  }

  /** Where the server answered, once it has. */
  endpoint(appId: string): ConnectEndpoint | undefined {
    return this.probes.get(appId)?.answered;
  }

  /** The server pod's name, and whether the session has ended (for its log). */
  async serverPod(name: string): Promise<{ pod?: string; ended: boolean }> {
    const resource = await this.options.client.getConnect(name);
    if (!resource) return { ended: true };
    const pod = resource.status?.server?.podName;
    return { ...(pod ? { pod } : {}), ended: resource.status?.state === 'Failed' };
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.watch.stop();
  }

  private seen(resource: SparkConnectObject): void {
    const appId = appIdOf(resource);
    this.latest.set(appId, resource);
    let probing = this.probes.get(appId);
    if (!probing) {
      probing = { firstSeenMs: this.options.clock.now().getTime() };
      this.probes.set(appId, probing);
      void this.follow(appId, probing);
    }
    this.report(appId, resource, probing);
  }

  private gone(appId: string): void {
    this.latest.delete(appId);
    this.probes.delete(appId);
    this.options.tracker.gone(appId);
  }

  private report(appId: string, resource: SparkConnectObject, probing: Probing): void {
    const address = connectAddress(this.options.settings.sessionConnectAddress, resource);
    const shown = address && `${address.host}:${address.port}`;
    this.options.tracker.observe(
      appId,
      connectStatus(resource, { answered: probing.answered !== undefined, ...(shown ? { address: shown } : {}) }),
    );
  }

  /** Probes a Ready server until it answers, the session ends, or the wait runs out. */
  private async follow(appId: string, probing: Probing): Promise<void> {
    const { settings, clock, logger } = this.options;
    const intervalMs = this.options.probeIntervalMs ?? 2000;
    while (!this.stopping.signal.aborted && this.probes.get(appId) === probing) {
      const resource = this.latest.get(appId);
      if (!resource) return;
      const address = connectAddress(settings.sessionConnectAddress, resource);
      const shown = address && `${address.host}:${address.port}`;
      const status = connectStatus(resource, { answered: false, ...(shown ? { address: shown } : {}) });
      if (isTerminal(status.state)) return;
      if (resource.status?.state === 'Ready' && address && (await sparkConnectAnswers(address.host, address.port))) {
        if (this.probes.get(appId) !== probing) return;
        probing.answered = address;
        this.report(appId, this.latest.get(appId) ?? resource, probing);
        return;
      }
      if (clock.now().getTime() - probing.firstSeenMs > settings.sessionReadySeconds * 1000) {
        const reason = `Spark Connect did not answer within ${settings.sessionReadySeconds} s (sessionReadySeconds): ${status.reason ?? status.state}`;
        // reported first: the deletion that follows is then no news
        this.options.tracker.observe(appId, { state: 'FAILED', reason });
        await this.options.client
          .deleteConnect(resource.metadata.name)
          .catch((error: unknown) =>
            logger.warn({ appId, err: error }, 'could not delete a session that did not start'),
          );
        return;
      }
      await new Promise((wake) => setTimeout(wake, intervalMs).unref());
    }
  }
}

function appIdOf(resource: SparkConnectObject): string {
  return resource.metadata.labels?.[SPARKPLANE_LABELS.appId] ?? resource.metadata.name;
}
