/**
 * The SparkJob objects of one namespace, through the Kubernetes API: followed with the same
 * list-then-watch as SparkApplications (resource-watch.ts), statuses written to the status
 * subresource (the spec is never touched).
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../domain/ports';
import {
  SPARK_JOB_API_VERSION,
  SPARK_JOB_GROUP,
  SPARK_JOB_KIND,
  SPARK_JOB_PLURAL,
  SPARK_JOB_VERSION,
  type SparkJobHandlers,
  type SparkJobObject,
  type SparkJobSource,
  type SparkJobStatus,
} from '../../domain/spark-job';
import { ResourceWatch } from './resource-watch';
import { type RetryOptions, withRetry } from './retry';

export interface KubernetesSparkJobSourceOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the SparkJob objects. */
  namespace: string;
  /** @default retry.ts's defaults */
  retry?: RetryOptions;
  /** How often every object is listed again (each status refreshed). @default 60000 */
  resyncIntervalMs?: number;
  /** @default 300 */
  watchTimeoutSeconds?: number;
  /** @default 10000 */
  requestTimeoutMs?: number;
  logger: Logger;
}

export class KubernetesSparkJobSource implements SparkJobSource {
  private readonly custom: CustomObjectsApi;
  private watch: ResourceWatch<SparkJobObject> | undefined;

  constructor(private readonly options: KubernetesSparkJobSourceOptions) {
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  private get coordinates() {
    return {
      group: SPARK_JOB_GROUP,
      version: SPARK_JOB_VERSION,
      namespace: this.options.namespace,
      plural: SPARK_JOB_PLURAL,
    };
  }

  start(handlers: SparkJobHandlers): void {
    this.watch ??= new ResourceWatch<SparkJobObject>({
      kind: 'SparkJobs',
      kubeConfig: this.options.kubeConfig,
      path: `/apis/${SPARK_JOB_GROUP}/${SPARK_JOB_VERSION}/namespaces/${this.options.namespace}/${SPARK_JOB_PLURAL}`,
      list: async () => {
        const list = (await this.custom.listNamespacedCustomObject(this.coordinates)) as {
          items: SparkJobObject[];
          metadata: { resourceVersion: string };
        };
        return { items: list.items, resourceVersion: list.metadata.resourceVersion };
      },
      onList: (items) => handlers.onList(items),
      onEvent: (type, object) => {
        if (type !== 'DELETED') handlers.onChange(object);
      },
      retry: this.options.retry ?? {},
      watchTimeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      resyncIntervalMs: this.options.resyncIntervalMs ?? 60_000,
      openTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      logger: this.options.logger,
      logFields: { namespace: this.options.namespace },
    });
    this.watch.start();
  }

  async writeStatus(object: SparkJobObject, status: SparkJobStatus): Promise<void> {
    const { name } = object.metadata;
    // no resourceVersion: an unconditional update of the status alone, which a spec change cannot conflict with
    const body = {
      apiVersion: SPARK_JOB_API_VERSION,
      kind: SPARK_JOB_KIND,
      metadata: { name, namespace: this.options.namespace },
      spec: object.spec,
      status,
    };
    await withRetry(
      () => this.custom.replaceNamespacedCustomObjectStatus({ ...this.coordinates, name, body }),
      this.options.retry ?? {},
    );
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
  }
}
