/**
 * The application config: what the Ocean Spark API accepts as `configOverrides` and as a config
 * template's `config`, with driver and executor. The single source of the REST validation, the
 * OpenAPI and JSON Schema documents, the CLI and the jobs-as-code component.
 */
import { z } from 'zod';
import { CPU_EXPECTED, MEMORY_EXPECTED, parseCpuMillis, parseMemoryMiB } from './quantity';

export const MemoryQuantity = z
  .string()
  .refine((v) => parseMemoryMiB(v) !== undefined, { message: `is not ${MEMORY_EXPECTED}` })
  .meta({
    description: `Memory: ${MEMORY_EXPECTED}; k/m/g/t and Ki/Mi/Gi/Ti are powers of 1024.`,
    examples: ['8g', '8192m', '8Gi'],
    // documents the form; the refinement above is what decides
    pattern: '^[0-9]+(\\.[0-9]+)?([kKmMgGtT][bB]?|[kKmMgGtT][iI])$',
  });

const CpuQuantity = z
  .string()
  .refine((v) => parseCpuMillis(v) !== undefined, { message: `is not ${CPU_EXPECTED}` })
  .meta({ description: CPU_EXPECTED, examples: ['1', '500m', '3460m'], pattern: '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$' });

/** Bounds of ApplicationConfig.priority. */
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

const StringMap = z.record(z.string(), z.string());
/** Kubernetes objects we pass through to the pod spec as they are (affinity, security contexts...). */
const KubernetesObject = z.record(z.string(), z.unknown());

const Toleration = z.looseObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const VolumeMount = z.looseObject({
  name: z.string().min(1),
  mountPath: z.string().min(1),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
});

/** A Kubernetes volume: a name plus one volume source (emptyDir, hostPath, persistentVolumeClaim...). */
const Volume = z.looseObject({ name: z.string().min(1) });

const SecretRef = z.strictObject({ name: z.string().min(1), key: z.string().min(1) });

const podFields = {
  /** Spark cores of the pod (spark.driver.cores / spark.executor.cores). */
  cores: z.number().int().positive().optional(),
  coreRequest: CpuQuantity.optional(),
  coreLimit: CpuQuantity.optional(),
  memory: MemoryQuantity.optional(),
  memoryOverhead: MemoryQuantity.optional(),
  javaOptions: z.string().optional(),
  instanceType: z.string().min(1).optional(),
  /** Instance families (e.g. "m5") or types (e.g. "m5.xlarge") the pod may run on. */
  instanceAllowList: z.array(z.string().min(1)).optional(),
  /** Run on spot capacity. @default false for the driver, true for executors. */
  spot: z.boolean().optional(),
  affinity: KubernetesObject.optional(),
  tolerations: z.array(Toleration).optional(),
  hostAliases: z.array(z.strictObject({ ip: z.string(), hostnames: z.array(z.string()) })).optional(),
  envVars: StringMap.optional(),
  envSecretKeyRefs: z.record(z.string(), SecretRef).optional(),
  secrets: z
    .array(z.strictObject({ name: z.string().min(1), path: z.string().min(1), secretType: z.string().optional() }))
    .optional(),
  configMaps: z.array(z.strictObject({ name: z.string().min(1), path: z.string().min(1) })).optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  image: z.string().min(1).optional(),
  podSecurityContext: KubernetesObject.optional(),
  securityContext: KubernetesObject.optional(),
  volumeMounts: z.array(VolumeMount).optional(),
};

export const DriverSpec = z.strictObject({ ...podFields, podName: z.string().min(1).optional() });

export const ExecutorSpec = z.strictObject({
  ...podFields,
  /** Number of executors. @default 6 for API-submitted applications (hosted product default). */
  instances: z.number().int().min(0).optional(),
  /**
   * oomRecovery: when a run dies of out-of-memory, its next attempt and the job's next runs get
   * double the memory of the pod that ran out (driver or executors), bounded by the cluster;
   * autotuning: that, and also lower memory to observed use (the tuner). @default none
   */
  strategy: z.enum(['oomRecovery', 'autotuning']).optional(),
});

const TimeoutPolicy = z.union(
  [
    z.literal('DISABLED'),
    z.strictObject({ minutes: z.number().int().positive(), policy: z.literal('KILL').default('KILL') }),
  ],
  { error: 'is neither "DISABLED" nor {"minutes": <whole minutes>, "policy": "KILL"}' },
);

/**
 * What happens when an application fails, close to spark-operator's RestartPolicy: each retry is a
 * new application (attempt n, linked to the first by retryOf). A submission failure (the back-end
 * refused the application) and an application failure (it ran and failed, died of out-of-memory or
 * lost its driver to a spot interruption) are counted and spaced apart. A kill or a time-out is
 * never retried.
 */
export const RestartPolicy = z
  .strictObject({
    /** Never: a failure is final; OnFailure: retried within the counts below. */
    type: z.enum(['Never', 'OnFailure']),
    /** Retries after the application ran and failed. @default 3 */
    onFailureRetries: z.number().int().min(0).max(20).optional(),
    /** Seconds between a failure and the next attempt's admission. @default 10 */
    onFailureRetryIntervalSeconds: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600)
      .optional(),
    /** Retries after its back-end refused the submission. @default 3 */
    onSubmissionFailureRetries: z.number().int().min(0).max(20).optional(),
    /** Seconds between a refused submission and the next attempt. @default 10 */
    onSubmissionFailureRetryIntervalSeconds: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600)
      .optional(),
  })
  .meta({ id: 'RestartPolicy' });
export type RestartPolicy = z.infer<typeof RestartPolicy>;

/** The defaults of RestartPolicy's counts and intervals. */
export const RESTART_DEFAULTS = { retries: 3, intervalSeconds: 10 } as const;

const Deps = z.strictObject({
  jars: z.array(z.string()).optional(),
  files: z.array(z.string()).optional(),
  pyFiles: z.array(z.string()).optional(),
  packages: z.array(z.string()).optional(),
  repositories: z.array(z.string()).optional(),
  excludePackages: z.array(z.string()).optional(),
});

const ApplicationType = z.enum(['Java', 'Scala', 'Python']);

export const ApplicationConfig = z
  .strictObject({
    type: ApplicationType.optional(),
    sparkVersion: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, { message: 'is not a Spark version such as "4.0.1"' })
      .optional(),
    image: z.string().min(1).optional(),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
    imagePullSecrets: z.array(z.string()).optional(),
    mainApplicationFile: z.string().min(1).optional(),
    mainClass: z.string().min(1).optional(),
    arguments: z.array(z.string()).optional(),
    pythonVersion: z.enum(['3']).optional(),
    deps: Deps.optional(),
    sparkConf: StringMap.optional(),
    hadoopConf: StringMap.optional(),
    sparkConfigMap: z.string().optional(),
    hadoopConfigMap: z.string().optional(),
    memoryOverheadFactor: z
      .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/)])
      .optional()
      .meta({ description: 'Fraction of memory added as non-JVM overhead, e.g. 0.1 or "0.4".' }),
    timeToLiveSeconds: z.number().int().min(0).optional(),
    /** @default 24 hours, policy KILL */
    timeout: TimeoutPolicy.optional(),
    /**
     * Admission order on a full cluster: higher first, first come first served within one priority
     * (and fair share across jobs and teams). No schema default, so that a layer of the config merge
     * that leaves it out does not override one that sets it. @default 0
     */
    priority: z
      .number()
      .int()
      .min(MIN_PRIORITY)
      .max(MAX_PRIORITY)
      .optional()
      .meta({ description: `Admission priority, ${MIN_PRIORITY} to ${MAX_PRIORITY}; higher first. Default 0.` }),
    /** @default {"type": "Never"}: a failure is final */
    restartPolicy: RestartPolicy.optional(),
    volumes: z.array(Volume).optional(),
    /** Labels for cost grouping. */
    labels: StringMap.optional(),
    shuffle: z.strictObject({ enabled: z.boolean().optional(), rootDir: z.string().optional() }).optional(),
    driver: DriverSpec.optional(),
    executor: ExecutorSpec.optional(),
    /** Interactive sessions only (a batch run ignores it). */
    session: z
      .strictObject({
        /**
         * What the session serves: `connect`, a Spark Connect server (PySpark --remote, sc://, /connect);
         * `sql`, a Spark Thrift Server (HiveServer2: dbt-ocean-spark and other SQL clients over the
         * Ocean /hive and /code paths). @default "connect"
         */
        kind: z.enum(['connect', 'sql']).optional().meta({
          description: 'connect: a Spark Connect server; sql: a Spark Thrift Server (HiveServer2). Default connect.',
        }),
        /** Minutes (fractions allowed) without a request after which the session is stopped (TIMED_OUT). @default 60 */
        idleTimeoutMinutes: z
          .number()
          .positive()
          .max(7 * 24 * 60)
          .optional(),
      })
      .optional(),
  })
  .meta({ id: 'ApplicationConfig', description: 'Spark application configuration (Ocean Spark compatible).' });

export type ApplicationConfig = z.infer<typeof ApplicationConfig>;
export type DriverSpec = z.infer<typeof DriverSpec>;
export type ExecutorSpec = z.infer<typeof ExecutorSpec>;

export const DEFAULT_TIMEOUT_MINUTES = 24 * 60;

/** The admission priority of a config (see ApplicationConfig.priority). */
export function priorityOf(config: ApplicationConfig): number {
  return config.priority ?? 0;
}

/**
 * The cores a running application holds: its driver's plus executors x cores each, with Spark's
 * own defaults for what the config leaves out (1 core each, spark.executor.instances 2).
 */
export function requestedCores(config: ApplicationConfig): number {
  const executor = config.executor ?? {};
  return (config.driver?.cores ?? 1) + (executor.instances ?? 2) * (executor.cores ?? 1);
}
