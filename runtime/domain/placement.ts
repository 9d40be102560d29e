/**
 * The contract between the runtime's Kubernetes back-end (which selects nodes) and the cluster
 * components (which create node pools): the labels and taints both sides use. One definition, so
 * a pod never asks for a label no node pool provides.
 */

/** Taint on every Spark node pool; Spark pods tolerate it, system pods do not. */
export const SPARK_TAINT = { key: 'sparkplane.io/spark', value: 'true', effect: 'NoSchedule' } as const;

/** Label on Spark node pools naming the role they serve. */
export const ROLE_LABEL = 'sparkplane.io/role';
export type SparkRole = 'driver' | 'executor';

/** Well-known node labels per autoscaler. */
export const NODE_LABELS = {
  karpenter: {
    capacityType: 'karpenter.sh/capacity-type',
    instanceType: 'node.kubernetes.io/instance-type',
    instanceFamily: 'karpenter.k8s.aws/instance-family',
    spot: 'spot',
    onDemand: 'on-demand',
  },
  gke: {
    capacityType: 'cloud.google.com/gke-spot',
    instanceType: 'node.kubernetes.io/instance-type',
    instanceFamily: 'cloud.google.com/machine-family',
    spot: 'true',
    onDemand: 'false',
  },
} as const;

export type Autoscaler = keyof typeof NODE_LABELS;

/**
 * GKE: the node label (and NoSchedule taint) of nodes a ComputeClass creates; a pod selects a
 * class with it. Selecting the class rather than `cloud.google.com/gke-spot` is what lets GKE fall
 * back from spot to on-demand (and migrate back): a hard spot selector would forbid the fallback.
 */
export const COMPUTE_CLASS_LABEL = 'cloud.google.com/compute-class';

/**
 * The ComputeClasses the GKE cluster component creates and the runtime selects, per role: spot
 * first with on-demand fallback (`spot`), or on-demand only (`onDemand`).
 */
export const GKE_COMPUTE_CLASSES: Record<SparkRole, { spot: string; onDemand: string }> = {
  driver: { spot: 'spark-driver-spot', onDemand: 'spark-driver' },
  executor: { spot: 'spark-executor', onDemand: 'spark-executor-on-demand' },
};

/** Karpenter must not evict a node that runs a driver: losing it loses the application. */
export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
