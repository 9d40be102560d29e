/**
 * What a cloud-specific cluster component hands to everything above it. The platform layer needs
 * nothing else, so it installs the same way on EKS, GKE or a cluster adopted from a kubeconfig.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Autoscaler, SparkRole } from '../../runtime/domain/placement';
import type { SparkIdentityNames } from './spark-identity';

/** Which node autoscaler labels the nodes ('none': nodes are labelled by hand). */
export type AutoscalerKind = Autoscaler | 'none';

/** Labels and taints a node pool puts on its nodes, for checking that Spark pods can be placed. */
export interface NodePoolOffer {
  name: string;
  role: SparkRole;
  /** Capacity-type label values the pool can launch, e.g. ["spot", "on-demand"]. */
  capacityTypes: string[];
  /** Fixed labels of every node of the pool. */
  labels: Record<string, string>;
  /** Label keys whose values vary per node (instance type, family). */
  variableLabelKeys: string[];
  taints: { key: string; value: string; effect: string }[];
}

/** Where Spark pods, the runtime and the History Server run, and how they reach object storage. */
export interface SparkIdentity extends SparkIdentityNames {
  /** Annotations for these service accounts (IRSA role ARN, GKE workload identity); empty with Pod Identity. */
  serviceAccountAnnotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A managed PostgreSQL database created by the cloud component. */
export interface ManagedDatabase {
  /** postgres://user:password@host:5432/db?sslmode=require (secret). */
  url: pulumi.Output<string>;
  host: pulumi.Output<string>;
}

/** What the runtime's service account is in the cloud's IAM: a control plane is let into other clusters as it. */
export type RuntimeIdentity =
  | { cloud: 'aws'; roleArn: pulumi.Output<string>; roleName: pulumi.Output<string> }
  | { cloud: 'gcp'; principal: pulumi.Output<string> };

export interface ClusterHandle {
  /** Stable identifier of the cluster, also the runtime's cluster id. */
  clusterName: pulumi.Input<string>;
  /** kubeconfig as a secret. */
  kubeconfig: pulumi.Output<string>;
  /** The provider every Kubernetes resource above the cluster is created with. */
  provider: k8s.Provider;
  /** Event logs and shuffle fallback, e.g. "s3a://bucket" or "gs://bucket". */
  objectStorageUrl: pulumi.Input<string>;
  spark: SparkIdentity;
  autoscaler: AutoscalerKind;
  /** Node pools created for Spark (empty when the autoscaler is 'none'). */
  nodePools: NodePoolOffer[];
  /** The runtime's cloud identity (its Pod Identity role, its Workload Identity principal). @default unknown: an adopted cluster's */
  runtimeIdentity?: RuntimeIdentity;
  /** A managed database, when the cloud component created one. */
  database?: ManagedDatabase;
  /**
   * Ingress classes whose controller the cluster component installed; an Ingress of another class
   * is refused. @default unknown (an adopted cluster's controllers are its own): any class
   */
  ingressClasses?: string[];
  /** Resources the platform must wait for (e.g. node pools, the autoscaler's CRDs). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}
