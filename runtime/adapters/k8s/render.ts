/**
 * Pure rendering of an application's effective config to the SparkApplication the kubernetes
 * back-end creates. No I/O: the dry run (`sparkplane render`) and the back-end call the same code.
 */
import type { ApplicationConfig, DriverSpec, ExecutorSpec } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import type { SparkRole } from '../../domain/placement';
import { parseCpuMillis, parseMemoryMiB, toSparkMemory } from '../../domain/quantity';
import { eventLogRoot, rollingEventLogDir } from '../../domain/event-log-layout';
import { KUBERNETES_POD_DEFAULTS, podSizeOf } from '../../scheduling/demand';
import { sparkUiConf } from '../../domain/spark-ui';
import { podFiles } from './app-files';
import { withBatchScheduler } from './batch-scheduler';
import type { KubernetesClusterSettings } from './cluster-settings';
import { extractDynamicAllocation } from './dynamic-allocation';
import { placePod } from './node-placement';
import {
  type EnvVar,
  type SparkApplication,
  type SparkApplicationSpec,
  SPARK_OPERATOR_GROUP,
  SPARK_OPERATOR_VERSION,
  SPARKPLANE_LABELS,
  type SparkPodSpec,
} from './spark-application';

/** What a pod gets when the config leaves its size out: the scheduling layer's, so that the planner counts what is rendered. */
export const POD_DEFAULTS = KUBERNETES_POD_DEFAULTS;

export interface RenderContext {
  appId: string;
  /** Absent for a jobless application (a session, a notebook): no job label then. */
  jobId?: string;
  clusterId: string;
  settings: KubernetesClusterSettings;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
}

function inferType(config: ApplicationConfig, file: string): SparkApplicationSpec['type'] {
  if (config.type) return config.type;
  if (/\.py$/i.test(file)) return 'Python';
  if (/\.jar$/i.test(file)) return 'Scala';
  throw invalid('type', `is required when mainApplicationFile (${JSON.stringify(file)}) is neither a .py nor a .jar`);
}

/** A Kubernetes CPU quantity in its shortest exact form: 1000 -> "1", 500 -> "500m". */
function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

function normaliseCpu(value: string | undefined): string | undefined {
  const millis = value === undefined ? undefined : parseCpuMillis(value);
  return millis === undefined ? undefined : cpuQuantity(millis);
}

export function normaliseMemory(value: string | undefined): string | undefined {
  const mib = value === undefined ? undefined : parseMemoryMiB(value);
  return mib === undefined ? undefined : toSparkMemory(mib);
}

function renderEnv(pod: DriverSpec | ExecutorSpec): EnvVar[] | undefined {
  const env: EnvVar[] = [
    ...Object.entries(pod.envVars ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(pod.envSecretKeyRefs ?? {}).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
    })),
  ];
  return env.length > 0 ? env : undefined;
}

/** Drops undefined fields and empty maps/lists so the rendered YAML shows only what is set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => {
      if (v === undefined) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
      return true;
    }),
  ) as T;
}

function renderPod(
  role: SparkRole,
  pod: DriverSpec | ExecutorSpec,
  config: ApplicationConfig,
  context: RenderContext,
  identity: Record<string, string>,
): SparkPodSpec {
  const { settings } = context;
  const { cores, heapMiB } = podSizeOf(role, config, POD_DEFAULTS);
  const placement = placePod(settings.autoscaler, {
    role,
    spot: pod.spot,
    instanceType: pod.instanceType,
    instanceAllowList: pod.instanceAllowList,
    affinity: pod.affinity,
    tolerations: pod.tolerations,
  });
  return compact<SparkPodSpec>({
    cores,
    coreRequest: normaliseCpu(pod.coreRequest),
    coreLimit: normaliseCpu(pod.coreLimit),
    memory: toSparkMemory(heapMiB),
    memoryOverhead: normaliseMemory(pod.memoryOverhead),
    javaOptions: pod.javaOptions,
    image: pod.image,
    serviceAccount:
      role === 'driver' ? settings.serviceAccount : (settings.executorServiceAccount ?? settings.serviceAccount),
    labels: { ...config.labels, ...pod.labels, ...identity },
    annotations: { ...placement.annotations, ...pod.annotations },
    nodeSelector: placement.nodeSelector,
    affinity: placement.affinity,
    tolerations: placement.tolerations,
    hostAliases: pod.hostAliases,
    env: renderEnv(pod),
    secrets: pod.secrets?.map((s) => ({ name: s.name, path: s.path, secretType: s.secretType ?? 'Generic' })),
    configMaps: pod.configMaps,
    podSecurityContext: pod.podSecurityContext,
    securityContext: pod.securityContext,
    volumeMounts: pod.volumeMounts,
  });
}

export function renderSparkConf(
  config: ApplicationConfig,
  context: RenderContext,
): Pick<SparkApplicationSpec, 'sparkConf' | 'dynamicAllocation'> {
  const { sparkConf, dynamicAllocation } = extractDynamicAllocation(config.sparkConf ?? {});
  // the runtime's proxy serves the UI: links under its path, no kill links (ours, over the application's)
  Object.assign(sparkConf, sparkUiConf(context.appId));
  const bucket = context.settings.eventLogBucketUrl;
  if (bucket) {
    // the platform's metrics read these logs: its settings win over the application's. One shared
    // directory that the History Server lists; rolling, so each run is one directory named after its
    // Spark application id, which the back-end learns from the operator's status
    sparkConf['spark.eventLog.enabled'] = 'true';
    sparkConf['spark.eventLog.dir'] = eventLogRoot(bucket);
    sparkConf['spark.eventLog.rolling.enabled'] = 'true';
    sparkConf['spark.eventLog.logStageExecutorMetrics'] = 'true';
    // sampled every second rather than at heartbeats (10 s), so that short runs have memory peaks too
    sparkConf['spark.executor.metrics.pollingInterval'] ??= '1s';
    // RSS of the executor's process tree, the Python workers' apart: what the tuner reads of PySpark memory
    sparkConf['spark.executor.processTreeMetrics.enabled'] ??= 'true';
  }
  return { sparkConf, ...(dynamicAllocation ? { dynamicAllocation } : {}) };
}

/** Where the event log of the run with Spark application id `sparkAppId` is, or undefined when the cluster has no bucket. */
export function eventLogDir(settings: KubernetesClusterSettings, sparkAppId: string): string | undefined {
  const bucket = settings.eventLogBucketUrl;
  return bucket ? rollingEventLogDir(bucket, sparkAppId) : undefined;
}

/**
 * The SparkApplication for one application. Throws VALIDATION_FAILED (naming the field) when the
 * config cannot run on Kubernetes, e.g. without mainApplicationFile.
 */
export function renderSparkApplication(config: ApplicationConfig, context: RenderContext): SparkApplication {
  const { settings } = context;
  if (!DNS_LABEL.test(context.appId)) {
    throw invalid('appId', `${JSON.stringify(context.appId)} is not a DNS label (lowercase letters, digits, "-")`);
  }
  if (!config.mainApplicationFile)
    throw invalid('mainApplicationFile', 'is required: expected the path or URL of a .py or .jar file');
  const files = podFiles(config);
  const file = files.mainApplicationFile!;
  const type = inferType(config, file);
  const sparkVersion = config.sparkVersion ?? settings.defaultSparkVersion;
  const identity = {
    [SPARKPLANE_LABELS.appId]: context.appId,
    ...(context.jobId !== undefined ? { [SPARKPLANE_LABELS.jobId]: context.jobId } : {}),
    [SPARKPLANE_LABELS.clusterId]: context.clusterId,
  };
  const { sparkConf, dynamicAllocation } = renderSparkConf(config, context);
  const executorConfig = config.executor ?? {};
  const instances = executorConfig.instances ?? (dynamicAllocation ? undefined : POD_DEFAULTS.executor.instances);
  const deps = compact(files.deps);

  const spec = compact<SparkApplicationSpec>({
    type,
    mode: 'cluster',
    sparkVersion,
    image: config.image ?? settings.defaultImage ?? `apache/spark:${sparkVersion}-python3`,
    imagePullPolicy: config.imagePullPolicy,
    imagePullSecrets: config.imagePullSecrets,
    mainApplicationFile: file,
    mainClass: config.mainClass,
    arguments: config.arguments,
    pythonVersion: type === 'Python' ? '3' : undefined,
    deps,
    sparkConf,
    hadoopConf: config.hadoopConf,
    sparkConfigMap: config.sparkConfigMap,
    hadoopConfigMap: config.hadoopConfigMap,
    memoryOverheadFactor: config.memoryOverheadFactor === undefined ? undefined : String(config.memoryOverheadFactor),
    volumes: config.volumes,
    dynamicAllocation,
    // the runtime decides about retries (and tuning between them): the operator never reruns
    restartPolicy: { type: 'Never' },
    timeToLiveSeconds: config.timeToLiveSeconds ?? settings.defaultTimeToLiveSeconds,
    driver: {
      ...renderPod('driver', config.driver ?? {}, config, context, identity),
      ...(config.driver?.podName ? { podName: config.driver.podName } : {}),
    },
    executor: {
      ...renderPod('executor', executorConfig, config, context, identity),
      ...(instances !== undefined ? { instances } : {}),
    },
  });

  const resource: SparkApplication = {
    apiVersion: `${SPARK_OPERATOR_GROUP}/${SPARK_OPERATOR_VERSION}`,
    kind: 'SparkApplication',
    metadata: {
      name: context.appId,
      namespace: settings.namespace,
      labels: { ...config.labels, ...identity, [SPARKPLANE_LABELS.managedBy]: 'sparkplane' },
    },
    spec,
  };
  return settings.batchScheduler ? withBatchScheduler(resource, settings.batchScheduler) : resource;
}
