/**
 * The cluster's driver pods as the back-end needs them to tell a stuck start (stuck-start.ts):
 * one small view per application, kept by a list + watch of the pods labelled with the cluster and
 * a spark-role (driver; connect-server for the SparkConnects' server pods). Until the first list,
 * nothing is known (a missing pod means nothing yet).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { SparkOperatorClient } from './kube-client';
import { ResourceWatch, type ResourceWatchOptions } from './resource-watch';
import { SPARKPLANE_LABELS } from './spark-application';
import { type DriverPodView, driverPodViewOf } from './stuck-start';

export interface DriverPodsOptions extends Pick<
  ResourceWatchOptions<V1Pod>,
  'kubeConfig' | 'retry' | 'watchTimeoutSeconds' | 'resyncIntervalMs' | 'openTimeoutMs' | 'logger' | 'logFields'
> {
  client: SparkOperatorClient;
  /** Which pods: client.driverPodSelector or client.serverPodSelector. */
  labelSelector: string;
  /** In logs: "driver pods", "server pods". */
  kind: string;
  /** A driver pod of this application changed (or went); absent, the views are read when needed. */
  onChange?: (appId: string) => void;
}

export class DriverPods {
  private readonly views = new Map<string, DriverPodView>();
  private readonly watch: ResourceWatch<V1Pod>;
  private listedOnce = false;

  constructor(options: DriverPodsOptions) {
    const appIdOf = (pod: V1Pod) => pod.metadata?.labels?.[SPARKPLANE_LABELS.appId];
    this.watch = new ResourceWatch<V1Pod>({
      kind: options.kind,
      kubeConfig: options.kubeConfig,
      path: options.client.podCollectionPath,
      labelSelector: options.labelSelector,
      list: () => options.client.listPods(options.labelSelector),
      onList: (pods) => {
        const before = new Set(this.views.keys());
        this.views.clear();
        for (const pod of pods) {
          const appId = appIdOf(pod);
          if (appId) this.views.set(appId, driverPodViewOf(pod));
        }
        this.listedOnce = true;
        for (const appId of new Set([...before, ...this.views.keys()])) options.onChange?.(appId);
      },
      onEvent: (type, pod) => {
        const appId = appIdOf(pod);
        if (!appId) return;
        if (type === 'DELETED') this.views.delete(appId);
        else this.views.set(appId, driverPodViewOf(pod));
        options.onChange?.(appId);
      },
      retry: options.retry,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      resyncIntervalMs: options.resyncIntervalMs,
      openTimeoutMs: options.openTimeoutMs,
      logger: options.logger,
      logFields: options.logFields,
    });
  }

  /** Whether the pods have been listed: only then does a missing pod mean there is none. */
  get listed(): boolean {
    return this.listedOnce;
  }

  of(appId: string): DriverPodView | undefined {
    return this.views.get(appId);
  }

  start(): void {
    this.watch.start();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }
}
