/**
 * One control plane over a fleet: the sparkplane runtime (with PostgreSQL) in one chosen cluster,
 * and every cluster of the fleet registered with it: its settings in the runtime's clusters file,
 * its credentials (an EKS access entry for the control plane's IAM role; GKE IAM for its
 * principal), read access to its event-log bucket, and its prices. Thin class; the rendering is in
 * registration.ts.
 */
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterHandle } from '../cluster/handle';
import { DEFAULT_SPARK_IDENTITY } from '../cluster/spark-identity';
import { SparkJob } from '../jobs/spark-job';
import { type JobSpecInput, sparkJobManifests } from '../jobs/spark-job-manifests';
import type { PlatformArgsInput } from '../platform/args';
import { SparkPlatform } from '../platform/platform';
import {
  controlPlaneClustersFile,
  controlPlaneKubeconfig,
  controlPlanePricesFile,
  type RegisteredCluster,
} from './registration';

/** How the control plane's runtime is let into a member cluster, per cloud. */
export type MemberAccess =
  | { cloud: 'aws'; provider: aws.Provider; clusterName: pulumi.Input<string> }
  | { cloud: 'gcp'; provider: gcp.Provider; project: string; bucketName: pulumi.Input<string> }
  | { cloud: 'existing' };

export interface ControlPlaneMember {
  /** The runtime's id of the cluster. */
  id: string;
  region: string;
  handle: ClusterHandle;
  access: MemberAccess;
  /** The runtime's price-table instances of this cluster. @default [] */
  prices?: Record<string, unknown>[];
}

export interface ControlPlaneArgs {
  /** Platform arguments of the control plane's runtime (image, replicas, database, ingress). */
  platform: PlatformArgsInput;
  /** The id (in `members`) of the cluster the control plane runs in. */
  host: string;
  members: ControlPlaneMember[];
  /** Jobs declared with the fleet (the runtime's job specs), each on one of the members. @default [] */
  jobs?: JobSpecInput[];
  /** Identities the control plane's runtime holds, granted access to each member. */
  identity: {
    /** IAM role of the runtime on AWS (an EKS access entry is created for it in every EKS member). */
    awsRoleArn?: string;
    /** IAM principal of the runtime on GCP, e.g. its Workload Identity Federation principal. */
    gcpPrincipal?: string;
  };
}

/** Lets the control plane's runtime in: Kubernetes access to the Spark namespace, and reading event logs. */
function grantAccess(
  parent: pulumi.Resource,
  name: string,
  member: ControlPlaneMember,
  identity: ControlPlaneArgs['identity'],
) {
  const access = member.access;
  if (access.cloud === 'aws' && identity.awsRoleArn) {
    const opts = { parent, provider: access.provider };
    const entry = new aws.eks.AccessEntry(
      `${name}-${member.id}-access`,
      { clusterName: access.clusterName, principalArn: identity.awsRoleArn, type: 'STANDARD' },
      opts,
    );
    new aws.eks.AccessPolicyAssociation(
      `${name}-${member.id}-access`,
      {
        clusterName: access.clusterName,
        principalArn: identity.awsRoleArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
        accessScope: { type: 'namespace', namespaces: [member.handle.spark.namespace] },
      },
      { ...opts, dependsOn: [entry] },
    );
  }
  if (access.cloud === 'gcp' && identity.gcpPrincipal) {
    const opts = { parent, provider: access.provider };
    new gcp.projects.IAMMember(
      `${name}-${member.id}-developer`,
      { project: access.project, role: 'roles/container.developer', member: identity.gcpPrincipal },
      opts,
    );
    new gcp.storage.BucketIAMMember(
      `${name}-${member.id}-events`,
      { bucket: access.bucketName, role: 'roles/storage.objectViewer', member: identity.gcpPrincipal },
      opts,
    );
  }
}

export class ControlPlane extends pulumi.ComponentResource {
  readonly runtimeUrl: pulumi.Output<string>;
  /** The clusters file the runtime reads. */
  readonly clustersFile: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:control-plane:ControlPlane', name, {}, opts);
    const host = args.members.find((m) => m.id === args.host);
    if (!host)
      throw new Error(
        `host: "${args.host}" is not a member; expected one of ${args.members.map((m) => m.id).join(', ')}`,
      );
    for (const member of args.members) if (member !== host) grantAccess(this, name, member, args.identity);

    const registered = pulumi
      .all(
        args.members.map((m) =>
          pulumi
            .all([m.handle.objectStorageUrl, m.handle.kubeconfig])
            .apply(([url, kubeconfig]): RegisteredCluster => ({
              id: m.id,
              region: m.region,
              host: m === host,
              spark: m.handle.spark,
              autoscaler: m.handle.autoscaler,
              eventLogBucketUrl: url,
              kubeconfig,
            })),
        ),
      )
      .apply((clusters) => clusters);
    this.clustersFile = registered.apply(controlPlaneClustersFile);
    const platform = new SparkPlatform(
      name,
      {
        ...args.platform,
        cluster: host.handle,
        runtime: {
          clustersFile: this.clustersFile,
          kubeconfig: pulumi.secret(registered.apply(controlPlaneKubeconfig)),
          pricesFile: controlPlanePricesFile(args.members.map((m) => m.prices ?? [])),
        },
      },
      { parent: this },
    );
    const systemNamespace = host.handle.spark.systemNamespace ?? DEFAULT_SPARK_IDENTITY.systemNamespace;
    const clusterIds = args.members.map((m) => m.id);
    // validated as a whole first: a wrong job names its index before anything is created
    sparkJobManifests(args.jobs ?? [], systemNamespace, clusterIds);
    for (const spec of args.jobs ?? [])
      new SparkJob(
        `${name}-job-${spec.id}`,
        { spec, namespace: systemNamespace, provider: host.handle.provider },
        // the SparkJob CRD comes with the platform
        { parent: this, dependsOn: [platform] },
      );
    this.runtimeUrl = platform.runtimeUrl;
    this.registerOutputs({ runtimeUrl: this.runtimeUrl, clustersFile: this.clustersFile });
  }
}
