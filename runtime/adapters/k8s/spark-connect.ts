/**
 * A session on Kubernetes: a spark-operator `SparkConnect` (v1alpha1) named after the application,
 * its server (the driver with the Connect plugin) on port 15002 and dynamic allocation on, so that
 * an idle session holds only its server. The event log goes to the cluster's bucket, as for a
 * SparkApplication, under a Spark application id fixed at render time (spark.app.id = the
 * application id: the operator reports none for a SparkConnect), so the session is measured when it
 * ends. The kubernetes back-end creates it for applications of type session.
 */
import type { ApplicationConfig } from '../../domain/config';
import { SESSION_UI_PORT } from './driver-ui';
import { POD_DEFAULTS, normaliseMemory, renderSparkConf, type RenderContext } from './render';
import { SPARK_OPERATOR_GROUP, SPARKPLANE_LABELS } from './spark-application';

export const SPARK_CONNECT_VERSION = 'v1alpha1';
export const SPARK_CONNECT_PLURAL = 'sparkconnects';
/** Spark Connect's own port, on the server pod (reached only by the runtime's relays). */
export const SPARK_CONNECT_PORT = 15002;

export interface SparkConnectResource {
  apiVersion: string;
  kind: 'SparkConnect';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    sparkVersion: string;
    image?: string;
    sparkConf: Record<string, string>;
    hadoopConf?: Record<string, string>;
    /** The template gives the server pod sparkplane's labels: the operator copies only the template's onto it. */
    server: { cores: number; memory: string; template?: { metadata: { labels: Record<string, string> } } };
    executor: { cores: number; memory: string; instances?: number };
    dynamicAllocation: { enabled: boolean; minExecutors?: number; maxExecutors?: number; initialExecutors?: number };
  };
}

/** What spark-operator writes in a SparkConnect's status (the CRD's status fields sparkplane reads). */
export interface SparkConnectStatus {
  /** "" (not seen yet), Provisioning, Ready, NotReady or Failed. */
  state?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  server?: { podName?: string; podIp?: string; serviceName?: string };
  startTime?: string;
  lastUpdateTime?: string;
}

/** A SparkConnect as read back from the API server. */
export type SparkConnectObject = SparkConnectResource & {
  metadata: { resourceVersion?: string; creationTimestamp?: string };
  status?: SparkConnectStatus;
};

export function renderSparkConnect(config: ApplicationConfig, context: RenderContext): SparkConnectResource {
  const { settings } = context;
  const rendered = renderSparkConf(config, context);
  const sparkConf = {
    ...rendered.sparkConf,
    'spark.connect.grpc.binding.port': String(SPARK_CONNECT_PORT),
    // the server Service's web-ui port, where the runtime's proxy reaches the session's Spark UI
    'spark.ui.port': String(SESSION_UI_PORT),
    // names the event log's directory (eventLogPath), which the operator's status does not tell
    'spark.app.id': context.appId,
  };
  const dynamicAllocation = rendered.dynamicAllocation;
  const driverCores = config.driver?.cores ?? POD_DEFAULTS.driver.cores;
  const executorCores = config.executor?.cores ?? POD_DEFAULTS.executor.cores;
  const memoryOf = (value: string | undefined, cores: number) =>
    normaliseMemory(value) ?? `${cores * POD_DEFAULTS.memoryMiBPerCore}m`;
  const image = config.image ?? settings.defaultImage;
  const instances = config.executor?.instances;
  // found by the stuck-start watch of server pods (stuck-start.ts), as a driver pod is by its labels
  const identity = { [SPARKPLANE_LABELS.appId]: context.appId, [SPARKPLANE_LABELS.clusterId]: context.clusterId };
  return {
    apiVersion: `${SPARK_OPERATOR_GROUP}/${SPARK_CONNECT_VERSION}`,
    kind: 'SparkConnect',
    metadata: {
      name: context.appId,
      namespace: settings.namespace,
      labels: {
        ...config.labels,
        ...identity,
        [SPARKPLANE_LABELS.managedBy]: 'sparkplane',
      },
    },
    spec: {
      sparkVersion: config.sparkVersion ?? settings.defaultSparkVersion,
      ...(image !== undefined ? { image } : {}),
      sparkConf,
      ...(config.hadoopConf ? { hadoopConf: config.hadoopConf } : {}),
      server: {
        cores: driverCores,
        memory: memoryOf(config.driver?.memory, driverCores),
        template: { metadata: { labels: identity } },
      },
      executor: {
        cores: executorCores,
        memory: memoryOf(config.executor?.memory, executorCores),
        ...(instances !== undefined ? { instances } : {}),
      },
      // on unless the config turned it off: an interactive session idles between queries
      dynamicAllocation: { enabled: true, minExecutors: 0, ...dynamicAllocation },
    },
  };
}
