/**
 * Settings of a `kubernetes` cluster, as stored in StoredCluster.settings: where and how its
 * SparkApplications are created. Parsed once with parseOrThrow so a bad setting names itself.
 */
import { z } from 'zod';
import { admissionSettingsShape } from '../../domain/admission';
import { CpuArchitecture } from '../../domain/backend-knobs';
import { HistoryServerUrl } from '../../domain/spark-ui';

export const BatchSchedulerSettings = z.strictObject({
  /** The batch scheduler spark-operator hands the pods to. @default "volcano" */
  name: z.enum(['volcano', 'yunikorn']).default('volcano'),
  queue: z.string().min(1),
  priorityClassName: z.string().min(1).optional(),
});

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
  batchScheduler: BatchSchedulerSettings.optional(),
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
