/** The parts of a kubeflow spark-operator v1beta2 SparkApplication that sparkplane writes and reads. */

export const SPARK_OPERATOR_GROUP = 'sparkoperator.k8s.io';
export const SPARK_OPERATOR_VERSION = 'v1beta2';
export const SPARK_APPLICATION_PLURAL = 'sparkapplications';
export const SPARK_APPLICATION_CRD = `${SPARK_APPLICATION_PLURAL}.${SPARK_OPERATOR_GROUP}`;
/** Name of the driver container in the pods spark-operator creates. */
export const DRIVER_CONTAINER = 'spark-kubernetes-driver';

/** The label spark-operator (Spark itself) puts on each pod: driver or executor. */
export const SPARK_ROLE_LABEL = 'spark-role';

/** Labels sparkplane puts on every SparkApplication and its pods. */
export const SPARKPLANE_LABELS = {
  appId: 'sparkplane.io/app-id',
  jobId: 'sparkplane.io/job-id',
  clusterId: 'sparkplane.io/cluster-id',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export interface K8sToleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
  };
  [other: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export interface SparkPodSpec {
  cores?: number;
  coreRequest?: string;
  coreLimit?: string;
  memory?: string;
  memoryOverhead?: string;
  javaOptions?: string;
  image?: string;
  serviceAccount?: string;
  priorityClassName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: K8sToleration[];
  hostAliases?: { ip: string; hostnames: string[] }[];
  env?: EnvVar[];
  secrets?: { name: string; path: string; secretType: string }[];
  configMaps?: { name: string; path: string }[];
  podSecurityContext?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Record<string, unknown>[];
}

export interface SparkApplicationSpec {
  type: 'Java' | 'Scala' | 'Python' | 'R';
  mode: 'cluster';
  sparkVersion: string;
  image: string;
  imagePullPolicy?: string;
  imagePullSecrets?: string[];
  mainApplicationFile: string;
  mainClass?: string;
  arguments?: string[];
  pythonVersion?: '3';
  deps?: Record<string, string[]>;
  sparkConf?: Record<string, string>;
  hadoopConf?: Record<string, string>;
  sparkConfigMap?: string;
  hadoopConfigMap?: string;
  memoryOverheadFactor?: string;
  volumes?: Record<string, unknown>[];
  dynamicAllocation?: {
    enabled: boolean;
    initialExecutors?: number;
    minExecutors?: number;
    maxExecutors?: number;
    shuffleTrackingEnabled?: boolean;
    shuffleTrackingTimeout?: number;
  };
  restartPolicy: { type: 'Never' };
  timeToLiveSeconds?: number;
  batchScheduler?: string;
  batchSchedulerOptions?: { queue?: string; priorityClassName?: string };
  driver: SparkPodSpec & { podName?: string };
  executor: SparkPodSpec & { instances?: number };
}

/** The states spark-operator writes in status.applicationState.state ("" before it sees the object). */
export type SparkOperatorState =
  | ''
  | 'NEW'
  | 'SUBMITTED'
  | 'RUNNING'
  | 'SUCCEEDING'
  | 'COMPLETED'
  | 'FAILING'
  | 'FAILED'
  | 'SUBMISSION_FAILED'
  | 'PENDING_RERUN'
  | 'INVALIDATING'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'RESUMING'
  | 'UNKNOWN';

export interface SparkApplicationStatus {
  applicationState?: { state: SparkOperatorState | string; errorMessage?: string };
  driverInfo?: { podName?: string; webUIAddress?: string };
  sparkApplicationId?: string;
  lastSubmissionAttemptTime?: string;
  terminationTime?: string;
  executionAttempts?: number;
  submissionAttempts?: number;
}

export interface SparkApplication {
  apiVersion: `${typeof SPARK_OPERATOR_GROUP}/${typeof SPARK_OPERATOR_VERSION}`;
  kind: 'SparkApplication';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
  };
  spec: SparkApplicationSpec;
  status?: SparkApplicationStatus;
}
