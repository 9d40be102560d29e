/**
 * Adopts a cluster you already have: a kubeconfig in, a ClusterHandle out. Nothing is created on
 * the cloud side; node pools, object-storage access and identity bindings are yours to provide.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { NODE_LABELS, ROLE_LABEL, SPARK_TAINT } from '../../runtime/domain/placement';
import { parseOrThrow } from '../../runtime/domain/validation';
import type { ClusterHandle, NodePoolOffer } from '../cluster/handle';
import { SparkIdentityArgs, sparkIdentityNames } from '../cluster/spark-identity';

export const ExistingClusterArgs = z.strictObject({
  /** The cluster's id in the runtime; stable. */
  clusterName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'is not a cluster name such as "analytics-prod"' }),
  /** Object storage for event logs. */
  objectStorageUrl: z
    .string()
    .regex(/^(s3a|gs):\/\/[^/]+$/, { message: 'is not a bucket URL such as "s3a://my-bucket" or "gs://my-bucket"' }),
  /** Which autoscaler labels the nodes; 'none' when nodes carry the placement labels by hand. @default "none" */
  autoscaler: z.enum(['karpenter', 'gke', 'none']).default('none'),
  /** Annotations of the Spark service accounts (IRSA role ARN, GKE workload identity). @default {} */
  serviceAccountAnnotations: z.record(z.string(), z.string()).default({}),
  /** kubeconfig context. @default the current context */
  context: z.string().min(1).optional(),
  /** Namespaces and service accounts of Spark, the runtime and the History Server. @default SparkIdentityArgs defaults */
  spark: SparkIdentityArgs.default(SparkIdentityArgs.parse({})),
});
export type ExistingClusterArgs = z.output<typeof ExistingClusterArgs>;

export interface ExistingClusterComponentArgs extends z.input<typeof ExistingClusterArgs> {
  /** kubeconfig contents (YAML or JSON), e.g. from `pulumi config set --secret kubeconfig`. */
  kubeconfig: pulumi.Input<string>;
  /** The Kubernetes provider of everything installed on the cluster. @default one the component creates from `kubeconfig` and `context` */
  provider?: k8s.Provider;
}

/**
 * What an adopted cluster is assumed to offer: nodes labelled and tainted per the placement
 * contract (runtime/domain/placement.ts), for drivers and executors on both capacity types.
 */
export function assumedNodePools(autoscaler: ExistingClusterArgs['autoscaler']): NodePoolOffer[] {
  const labels = NODE_LABELS[autoscaler === 'gke' ? 'gke' : 'karpenter'];
  return (['driver', 'executor'] as const).map((role) => ({
    name: `existing-${role}`,
    role,
    capacityTypes: [labels.onDemand, labels.spot],
    labels: { [ROLE_LABEL]: role },
    variableLabelKeys: [labels.capacityType, labels.instanceFamily, labels.instanceType],
    taints: [{ ...SPARK_TAINT }],
  }));
}

export class ExistingCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, input: ExistingClusterComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:existing:Cluster', name, {}, opts);
    const { kubeconfig, provider: givenProvider, ...rest } = input;
    const args = parseOrThrow(ExistingClusterArgs, rest);
    const secretKubeconfig = pulumi.secret(kubeconfig);
    const provider =
      givenProvider ??
      new k8s.Provider(
        `${name}-k8s`,
        {
          kubeconfig: secretKubeconfig,
          enableServerSideApply: true,
          ...(args.context ? { context: args.context } : {}),
        },
        { parent: this },
      );
    this.handle = {
      clusterName: args.clusterName,
      kubeconfig: pulumi.output(secretKubeconfig),
      provider,
      objectStorageUrl: args.objectStorageUrl,
      spark: { ...sparkIdentityNames(args.spark), serviceAccountAnnotations: args.serviceAccountAnnotations },
      autoscaler: args.autoscaler,
      nodePools: assumedNodePools(args.autoscaler),
    };
    this.registerOutputs({ clusterName: args.clusterName });
  }
}
