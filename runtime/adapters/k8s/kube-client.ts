/**
 * The Kubernetes API calls of one cluster's back-end, typed: each request has a time-out and is
 * retried with backoff (retry.ts). An answer that means "not there" is a value (undefined, false);
 * any other failure is a BACKEND_UNAVAILABLE DomainError naming the call and the server's message
 * (a BackendUnreachableError when it may succeed later: the server down, time-outs, 5xx).
 */
import type { Writable } from 'node:stream';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  type V1Deployment,
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
  type V1CustomResourceDefinition,
  type V1Pod,
  type V1Service,
  VersionApi,
} from '@kubernetes/client-node';
import { BackendUnreachableError, DomainError } from '../../domain/errors';
import { httpStatusOf, isRetryable, type RetryOptions, withRetry } from './retry';
import {
  DRIVER_CONTAINER,
  SPARK_APPLICATION_CRD,
  SPARK_APPLICATION_PLURAL,
  type SparkApplication,
  SPARK_OPERATOR_GROUP,
  SPARK_OPERATOR_VERSION,
  SPARK_ROLE_LABEL,
  SPARKPLANE_LABELS,
} from './spark-application';
import { SPARK_CONNECT_PLURAL, SPARK_CONNECT_VERSION, type SparkConnectObject } from './spark-connect';

/** The label spark-operator's Helm chart puts on its Deployments. */
export const OPERATOR_SELECTOR = 'app.kubernetes.io/name=spark-operator';

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

/** A rejection handler: the answer `status` means `value`; any other failure stays one. */
function answer<V>(status: number, value: V): (error: unknown) => V {
  return (error) => {
    if (httpStatusOf(error) === status) return value;
    throw error;
  };
}

export interface SparkOperatorClientOptions {
  /** The sparkplane cluster: selects its SparkApplications and names it in errors. */
  clusterId: string;
  kubeConfig: KubeConfig;
  /** Namespace of the SparkApplications, their pods and events. */
  namespace: string;
  requestTimeoutMs: number;
  retry: RetryOptions;
}

export class SparkOperatorClient {
  readonly namespace: string;
  /** Selects this cluster's SparkApplications (the runtime's own). */
  readonly labelSelector: string;
  /** API path of the SparkApplications collection, for watches. */
  readonly collectionPath: string;
  /** API path of the SparkConnects collection (sessions), for watches. */
  readonly connectCollectionPath: string;
  /** API path of the namespace's pods, for the driver pods' watch. */
  readonly podCollectionPath: string;
  /** Selects this cluster's driver pods (spark-operator labels them spark-role=driver). */
  readonly driverPodSelector: string;
  /** Selects this cluster's SparkConnect server pods (labelled by their pod template; the operator sets spark-role=connect-server). */
  readonly serverPodSelector: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly requestOptions: ConfigurationOptions;

  constructor(private readonly options: SparkOperatorClientOptions) {
    this.namespace = options.namespace;
    this.labelSelector = `${SPARKPLANE_LABELS.clusterId}=${options.clusterId}`;
    this.collectionPath = `/apis/${SPARK_OPERATOR_GROUP}/${SPARK_OPERATOR_VERSION}/namespaces/${this.namespace}/${SPARK_APPLICATION_PLURAL}`;
    this.connectCollectionPath = `/apis/${SPARK_OPERATOR_GROUP}/${SPARK_CONNECT_VERSION}/namespaces/${this.namespace}/${SPARK_CONNECT_PLURAL}`;
    this.podCollectionPath = `/api/v1/namespaces/${this.namespace}/pods`;
    this.driverPodSelector = `${this.labelSelector},${SPARK_ROLE_LABEL}=driver`;
    this.serverPodSelector = `${this.labelSelector},${SPARK_ROLE_LABEL}=connect-server`;
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.requestOptions = timeoutOptions(options.requestTimeoutMs);
  }

  private get coordinates() {
    return {
      group: SPARK_OPERATOR_GROUP,
      version: SPARK_OPERATOR_VERSION,
      namespace: this.namespace,
      plural: SPARK_APPLICATION_PLURAL,
    };
  }

  private get connectCoordinates() {
    return {
      group: SPARK_OPERATOR_GROUP,
      version: SPARK_CONNECT_VERSION,
      namespace: this.namespace,
      plural: SPARK_CONNECT_PLURAL,
    };
  }

  private unavailable(action: string, error: unknown): DomainError {
    const message = `cluster ${this.options.clusterId}: ${action} failed: ${describeApiError(error)}`;
    return isRetryable(error) ? new BackendUnreachableError(message) : new DomainError('BACKEND_UNAVAILABLE', message);
  }

  /** Retried; any failure left is BACKEND_UNAVAILABLE naming `action` (BackendUnreachableError if transient). */
  private async call<T>(action: string, operation: () => Promise<T>, retry = this.options.retry): Promise<T> {
    try {
      return await withRetry(operation, retry);
    } catch (error) {
      throw this.unavailable(action, error);
    }
  }

  /** Creates the resource: 'exists' when its name is taken (409), by whomever. */
  createApplication(resource: SparkApplication): Promise<'created' | 'exists'> {
    return this.call(`creating SparkApplication ${resource.metadata.name}`, () =>
      this.custom
        // Strict: an unknown field is refused (422), never pruned without a word
        .createNamespacedCustomObject(
          { ...this.coordinates, body: resource, fieldValidation: 'Strict' },
          this.requestOptions,
        )
        .then(() => 'created' as const, answer(409, 'exists' as const)),
    );
  }

  getApplication(name: string): Promise<SparkApplication | undefined> {
    return this.call(`reading SparkApplication ${name}`, () =>
      this.custom
        .getNamespacedCustomObject({ ...this.coordinates, name }, this.requestOptions)
        .then((resource) => resource as SparkApplication, answer(404, undefined)),
    );
  }

  /** Deletes the resource; false when it was not there. */
  deleteApplication(name: string): Promise<boolean> {
    return this.call(`deleting SparkApplication ${name}`, () =>
      this.custom
        .deleteNamespacedCustomObject({ ...this.coordinates, name }, this.requestOptions)
        .then(() => true, answer(404, false)),
    );
  }

  /**
   * One attempt at listing this cluster's SparkApplications, failing with the client's own error:
   * the watch retries it, and tells 410 Gone apart.
   */
  async listApplications(): Promise<{ items: SparkApplication[]; resourceVersion: string }> {
    const list = (await this.custom.listNamespacedCustomObject(
      { ...this.coordinates, labelSelector: this.labelSelector },
      this.requestOptions,
    )) as { items: SparkApplication[]; metadata: { resourceVersion: string } };
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  /** Creates a session's SparkConnect: 'exists' when its name is taken (409), by whomever. Strict, as SparkApplications. */
  createConnect(resource: SparkConnectObject): Promise<'created' | 'exists'> {
    return this.call(`creating SparkConnect ${resource.metadata.name}`, () =>
      this.custom
        .createNamespacedCustomObject(
          { ...this.connectCoordinates, body: resource, fieldValidation: 'Strict' },
          this.requestOptions,
        )
        .then(() => 'created' as const, answer(409, 'exists' as const)),
    );
  }

  getConnect(name: string): Promise<SparkConnectObject | undefined> {
    return this.call(`reading SparkConnect ${name}`, () =>
      this.custom
        .getNamespacedCustomObject({ ...this.connectCoordinates, name }, this.requestOptions)
        .then((resource) => resource as SparkConnectObject, answer(404, undefined)),
    );
  }

  /** Deletes the SparkConnect (its server and executors go with it); false when it was not there. */
  deleteConnect(name: string): Promise<boolean> {
    return this.call(`deleting SparkConnect ${name}`, () =>
      this.custom
        .deleteNamespacedCustomObject({ ...this.connectCoordinates, name }, this.requestOptions)
        .then(() => true, answer(404, false)),
    );
  }

  /** One attempt at listing this cluster's SparkConnects, as listApplications. */
  async listConnects(): Promise<{ items: SparkConnectObject[]; resourceVersion: string }> {
    const list = (await this.custom.listNamespacedCustomObject(
      { ...this.connectCoordinates, labelSelector: this.labelSelector },
      this.requestOptions,
    )) as { items: SparkConnectObject[]; metadata: { resourceVersion: string } };
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  /** Creates a Service in the namespace: 'exists' when its name is taken (409). */
  createService(service: V1Service): Promise<'created' | 'exists'> {
    return this.call(`creating Service ${service.metadata?.name}`, () =>
      this.core
        .createNamespacedService({ namespace: this.namespace, body: service }, this.requestOptions)
        .then(() => 'created' as const, answer(409, 'exists' as const)),
    );
  }

  /** Deletes a Service; false when it was not there. */
  deleteService(name: string): Promise<boolean> {
    return this.call(`deleting Service ${name}`, () =>
      this.core
        .deleteNamespacedService({ name, namespace: this.namespace }, this.requestOptions)
        .then(() => true, answer(404, false)),
    );
  }

  /** One attempt at listing the pods `labelSelector` selects (driverPodSelector, serverPodSelector), as listApplications. */
  async listPods(labelSelector: string): Promise<{ items: V1Pod[]; resourceVersion: string }> {
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector }, this.requestOptions);
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  /** The driver container's log so far; undefined when the pod is gone. */
  readDriverLog(pod: string): Promise<string | undefined> {
    return this.call(`reading the log of pod ${pod}`, () =>
      this.core
        .readNamespacedPodLog(
          { name: pod, namespace: this.namespace, container: DRIVER_CONTAINER },
          this.requestOptions,
        )
        .catch(answer(404, undefined)),
    );
  }

  /** Streams the driver container's log into `into` until it ends or the returned controller aborts; undefined when the pod is gone. */
  async followDriverLog(pod: string, into: Writable): Promise<AbortController | undefined> {
    try {
      return await new Log(this.options.kubeConfig).log(this.namespace, pod, DRIVER_CONTAINER, into, { follow: true });
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw this.unavailable(`following the log of pod ${pod}`, error);
    }
  }

  /** The events whose involved object has this name (a SparkApplication, a pod). */
  async listEvents(objectName: string): Promise<CoreV1Event[]> {
    const list = await this.call(`listing the events of ${objectName}`, () =>
      this.core.listNamespacedEvent(
        { namespace: this.namespace, fieldSelector: `involvedObject.name=${objectName}` },
        this.requestOptions,
      ),
    );
    return list.items;
  }

  /** e.g. "v1.33.2". Tried twice only: a probe must not wait long on a cluster that is down. */
  async kubernetesVersion(): Promise<string> {
    const version = await this.call(
      'reading the Kubernetes version',
      () => this.options.kubeConfig.makeApiClient(VersionApi).getCode(this.requestOptions),
      { ...this.options.retry, maxAttempts: 2 },
    );
    return version.gitVersion;
  }

  /**
   * How many nodes the cluster has and how many are Ready; undefined when the runtime may not list
   * nodes (403: a cluster-scoped permission a platform may withhold). Read from the API server's
   * cache (resourceVersion 0), not etcd, and tried twice only, as the version.
   */
  async nodeCounts(): Promise<{ total: number; ready: number } | undefined> {
    const list = await this.call(
      'listing the nodes',
      () => this.core.listNode({ resourceVersion: '0' }, this.requestOptions).catch(answer(403, undefined)),
      { ...this.options.retry, maxAttempts: 2 },
    );
    if (!list) return undefined;
    const ready = list.items.filter((node) =>
      node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    return { total: list.items.length, ready };
  }

  /** spark-operator's Deployments in `namespace` (as its chart labels them); undefined when the runtime may not list them. */
  async operatorDeployments(namespace: string): Promise<V1Deployment[] | undefined> {
    const list = await this.call(
      `listing spark-operator's deployments in namespace ${namespace}`,
      () =>
        this.options.kubeConfig
          .makeApiClient(AppsV1Api)
          .listNamespacedDeployment({ namespace, labelSelector: OPERATOR_SELECTOR }, this.requestOptions)
          .catch(answer(403, undefined)),
      { ...this.options.retry, maxAttempts: 2 },
    );
    return list?.items;
  }

  /** The SparkApplication CRD, undefined when spark-operator is not installed. */
  sparkApplicationCrd(): Promise<V1CustomResourceDefinition | undefined> {
    return this.call(`reading CRD ${SPARK_APPLICATION_CRD}`, () =>
      this.options.kubeConfig
        .makeApiClient(ApiextensionsV1Api)
        .readCustomResourceDefinition({ name: SPARK_APPLICATION_CRD }, this.requestOptions)
        .catch(answer(404, undefined)),
    );
  }
}
