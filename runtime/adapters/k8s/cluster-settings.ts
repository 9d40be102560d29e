/**
 * Settings of a `kubernetes` cluster, as stored in StoredCluster.settings: where and how its
 * SparkApplications are created. Parsed once with parseOrThrow so a bad setting names itself.
 */
import { z } from 'zod';
import { admissionSettingsShape } from '../../domain/admission';
import { CpuArchitecture } from '../../domain/backend-knobs';
import { HistoryServerUrl } from '../../domain/spark-ui';

/**
 * The batch scheduler that admits this cluster's applications instead of sparkplane's own gang
 * admission (README, configuration): kueue (the SparkApplication's `kueue.x-k8s.io/queue-name`
 * label, Kueue >= 0.17 with its SparkApplication integration), yunikorn or volcano (spark-operator's
 * `spec.batchScheduler`, its chart's `controller.batchScheduler.enable: true`).
 */
/** Both end up in pod or SparkApplication labels (Kueue's, the `queue` label of YuniKorn's pods). */
const LabelValue = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
  message: 'is not a Kubernetes label value (at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends)',
});

export const BatchSchedulerSettings = z.strictObject({
  kind: z.enum(['kueue', 'yunikorn', 'volcano']),
  /** Kueue: the LocalQueue in the applications' namespace; YuniKorn: the queue, e.g. "root.spark"; Volcano: the Queue. */
  queue: LabelValue,
  /**
   * Kueue: a WorkloadPriorityClass (label `kueue.x-k8s.io/priority-class`); Volcano and YuniKorn: a
   * PriorityClass (batchSchedulerOptions.priorityClassName, the pods' priorityClassName). @default none
   */
  priorityClassName: LabelValue.optional(),
});
export type BatchSchedulerSettings = z.infer<typeof BatchSchedulerSettings>;

/**
 * How long an application may be stuck before it starts, after which it ends FAILED with the
 * Kubernetes reason and its SparkApplication is deleted (so it cannot start later).
 */
export const StuckStartLimits = z.strictObject({
  /** Seconds the driver's image may fail to pull (ErrImagePull, ImagePullBackOff), from the pod's scheduling. @default 60 */
  imagePullSeconds: z.number().int().min(0).default(60),
  /**
   * Seconds the driver pod may stay unschedulable (PodScheduled False, Unschedulable): time for the
   * autoscaler to bring a node. Not applied with a batchScheduler, whose queue holds pods on purpose. @default 600
   */
  unschedulableSeconds: z.number().int().min(0).default(600),
  /** Seconds from the SparkApplication's (last) submission, or a session's SparkConnect creation, for spark-operator to create its driver or server pod. @default 300 */
  driverPodCreationSeconds: z.number().int().min(0).default(300),
});
export type StuckStartLimits = z.infer<typeof StuckStartLimits>;

export const KubernetesClusterSettings = z.strictObject({
  /**
   * capacity: what the node pools can reach (the autoscaler's limits, e.g. Karpenter NodePool
   * limits); absent, the cluster is taken as unlimited and only quotas hold applications back.
   */
  ...admissionSettingsShape,
  /** kubeconfig context; absent: the current context, or in-cluster credentials. */
  context: z.string().min(1).optional(),
  /** Namespace of the SparkApplications. @default "spark-apps" */
  namespace: z.string().min(1).default('spark-apps'),
  /** Namespace of spark-operator's controller and webhook, whose Deployments the probe reads. @default "spark-operator" */
  operatorNamespace: z.string().min(1).default('spark-operator'),
  /** Image when the application names none. @default "apache/spark:<sparkVersion>-python3" */
  defaultImage: z.string().min(1).optional(),
  /**
   * CPU architecture of the cluster's Spark images: the tuner proposes only instance types of it
   * (no Graviton for an amd64 image). @default "amd64"
   */
  imageArchitecture: CpuArchitecture.optional(),
  /** Spark version when the application names none. @default "4.0.1" */
  defaultSparkVersion: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, { message: 'is not a Spark version such as "4.0.1"' })
    .default('4.0.1'),
  /** Service account of the driver (needs to create executor pods). @default "spark-driver" */
  serviceAccount: z.string().min(1).default('spark-driver'),
  /** Service account of the executors. @default the driver's */
  executorServiceAccount: z.string().min(1).optional(),
  /** Object storage for event logs, e.g. "s3a://bucket/prefix" or "gs://bucket"; absent: no event log. */
  eventLogBucketUrl: z
    .string()
    .regex(/^(s3a|gs):\/\/[^/]+(\/.*)?$/, { message: 'is not an s3a:// or gs:// URL such as "s3a://my-bucket/spark"' })
    .optional(),
  /** Which node autoscaler labels the nodes. @default "karpenter" */
  autoscaler: z.enum(['karpenter', 'gke']).default('karpenter'),
  /** @default none: sparkplane's own admission (capacity and gang) decides when applications start */
  batchScheduler: BatchSchedulerSettings.optional(),
  /** @default { imagePullSeconds: 60, unschedulableSeconds: 600, driverPodCreationSeconds: 300 } */
  stuckStart: StuckStartLimits.prefault({}),
  /**
   * The Spark History Server the platform installed for this cluster (reading eventLogBucketUrl):
   * its ended applications link their run there. @default the runtime's SPARKPLANE_HISTORY_SERVER_URL
   */
  historyServerUrl: HistoryServerUrl.optional(),
  /**
   * Where the runtime reaches a session's Spark Connect server, "host:port" with placeholders
   * {service} (the server Service spark-operator creates, `<name>-server`), {namespace} and {podIp}.
   * Out of the cluster, point it at what routes there (pod IPs on a flat VPC network: "{podIp}:15002").
   * @default "{service}.{namespace}.svc.cluster.local:15002" (the runtime in the cluster)
   */
  sessionConnectAddress: z
    .string()
    .regex(/^\S+:\d{1,5}$/, { message: 'is not "host:port", e.g. "{service}.{namespace}.svc:15002"' })
    .default('{service}.{namespace}.svc.cluster.local:15002'),
  /**
   * Where the runtime reaches the Spark Thrift Server of a sql session (session.kind sql), "host:port"
   * with placeholders {service} (the Service sparkplane creates in front of its driver,
   * `<name>-thrift`) and {namespace}. @default "{service}.{namespace}.svc.cluster.local:10000"
   */
  sessionThriftAddress: z
    .string()
    .regex(/^\S+:\d{1,5}$/, { message: 'is not "host:port", e.g. "{service}.{namespace}.svc:10000"' })
    .default('{service}.{namespace}.svc.cluster.local:10000'),
  /** Seconds a session's server has, from its creation, to answer a Spark Connect (or HiveServer2 OpenSession) call before it is deleted as failed. @default 600 */
  sessionReadySeconds: z.number().int().min(1).default(600),
  /** Time to live of a finished SparkApplication when the application sets none. @default 86400 (one day) */
  defaultTimeToLiveSeconds: z.number().int().min(0).default(86_400),
});

export type KubernetesClusterSettings = z.infer<typeof KubernetesClusterSettings>;
export type KubernetesClusterSettingsInput = z.input<typeof KubernetesClusterSettings>;
