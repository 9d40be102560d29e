/**
 * One control plane over a fleet: the sparkplane runtime (with PostgreSQL) in one chosen cluster,
 * and every cluster of the fleet registered with it: its settings in the runtime's clusters file,
 * its credentials (an EKS access entry and RBAC for the control plane's IAM role; GKE IAM for its
 * principal), read access to its event-log bucket, and its prices. The control plane is, in its own
 * cloud, the identity its host gives its runtime. Thin class; the rendering is in
 * registration.ts.
 */
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ClusterHandle } from '../cluster/handle';
import { DomainError } from '../../runtime/domain/errors';
import { eventLogPrefixReadPolicy } from '../aws/iam-policies';
import { type AwsFederationArgs, createAwsFederation } from '../gcp/aws-federation';
import { DEFAULT_SPARK_IDENTITY, OPERATOR_NAMESPACE } from '../cluster/spark-identity';
import { applyManifest } from '../platform/apply-manifest';
import { appLabels } from '../platform/labels';
import { clusterAccessManifests } from '../platform/runtime-manifests';
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
  | {
      cloud: 'aws';
      provider: aws.Provider;
      clusterName: pulumi.Input<string>;
      /** The cluster's event-log bucket, read by the control plane's runtime. */
      bucket: { arn: pulumi.Input<string>; kmsKeyArn?: pulumi.Input<string> };
    }
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
  /** Where spark-operator runs on it (the runtime reads whether it is up). @default "spark-operator" */
  operatorNamespace?: string;
}

export interface ControlPlaneArgs {
  /** Platform arguments of the control plane's runtime (image, replicas, database, ingress). */
  platform: PlatformArgsInput;
  /** The id (in `members`) of the cluster the control plane runs in. */
  host: string;
  members: ControlPlaneMember[];
  /** Jobs declared with the fleet (the runtime's job specs), each on one of the members. @default [] */
  jobs?: JobSpecInput[];
  /**
   * The identities the control plane's runtime holds in the cloud it does not run in, granted access
   * to each member of that cloud. In its own cloud it is the host's runtime identity (its Pod Identity
   * role on EKS, its Workload Identity principal on GKE), which is granted instead.
   * @default {}: required for the other cloud's members
   */
  identity: {
    /** IAM role of the runtime on AWS, when it runs outside EKS. */
    awsRoleArn?: string;
    /** IAM principal of the runtime on GCP when it runs outside GKE, e.g. a principalSet:// of an AWS pool. */
    gcpPrincipal?: string;
    /**
     * On EKS: federate the runtime's role into GCP (a workload identity pool with an AWS provider in
     * this project), grant the GKE members that principal, and mount the external_account credential
     * configuration into the runtime. @default none: `gcpPrincipal` is required with GKE members
     */
    gcpFederation?: Omit<AwsFederationArgs, 'roleArn'>;
  };
}

/** The Kubernetes group an EKS access entry puts the control plane in; the member's RBAC grants it. */
export const CONTROL_PLANE_GROUP = 'sparkplane:control-plane';
const CONTROL_PLANE_RBAC_NAME = 'sparkplane-control-plane';

/** Who the control plane's runtime is in each cloud: its host's identity at home, the given one elsewhere. */
export function controlPlaneIdentities(
  host: Pick<ControlPlaneMember, 'id' | 'handle'>,
  members: Pick<ControlPlaneMember, 'id' | 'access'>[],
  given: ControlPlaneArgs['identity'],
  /** Federates the host runtime's AWS role into GCP (`gcpFederation`), answering its principal. */
  federate: (roleArn: pulumi.Output<string>) => pulumi.Output<string>,
): { aws?: { roleArn: pulumi.Input<string>; roleName?: pulumi.Output<string> }; gcp?: pulumi.Input<string> } {
  const own = host.handle.runtimeIdentity;
  const remote = (cloud: 'aws' | 'gcp') =>
    members.filter((m) => m !== host && m.access.cloud === cloud).map((m) => m.id);
  const refuse = (field: string, why: string) => {
    throw new DomainError('VALIDATION_FAILED', `identity.${field}: ${why}`, [
      { path: `identity.${field}`, message: why },
    ]);
  };
  if (own?.cloud === 'aws' && given.awsRoleArn)
    refuse(
      'awsRoleArn',
      `"${given.awsRoleArn}" is not the role the runtime holds on ${host.id} (its Pod Identity role is granted); expected none`,
    );
  if (own?.cloud === 'gcp' && given.gcpPrincipal)
    refuse(
      'gcpPrincipal',
      `"${given.gcpPrincipal}" is not the principal the runtime holds on ${host.id} (its Workload Identity principal is granted); expected none`,
    );
  if (given.gcpFederation && own?.cloud !== 'aws')
    refuse(
      'gcpFederation',
      `is for a runtime on EKS, and ${host.id}'s runtime ${own?.cloud === 'gcp' ? 'is on GKE (its Workload Identity principal is granted)' : 'has no known AWS role'}; expected none`,
    );
  if (given.gcpFederation && given.gcpPrincipal)
    refuse(
      'gcpPrincipal',
      `"${given.gcpPrincipal}" and gcpFederation are both given; expected one: gcpFederation renders the principal`,
    );
  const aws =
    own?.cloud === 'aws'
      ? { roleArn: own.roleArn, roleName: own.roleName }
      : given.awsRoleArn
        ? { roleArn: given.awsRoleArn }
        : undefined;
  const gcpPrincipal =
    own?.cloud === 'gcp'
      ? own.principal
      : own?.cloud === 'aws' && given.gcpFederation
        ? federate(own.roleArn)
        : given.gcpPrincipal;
  if (!aws && remote('aws').length > 0)
    refuse(
      'awsRoleArn',
      `is required: the control plane runs on ${host.id}, outside EKS, and ${remote('aws').join(', ')} are EKS clusters; expected the IAM role its runtime holds`,
    );
  if (!gcpPrincipal && remote('gcp').length > 0)
    refuse(
      'gcpPrincipal',
      `is required: the control plane runs on ${host.id}, outside GKE, and ${remote('gcp').join(', ')} are GKE clusters; expected the IAM principal its runtime holds (e.g. a principalSet:// of a workload identity pool)`,
    );
  return { ...(aws ? { aws } : {}), ...(gcpPrincipal ? { gcp: gcpPrincipal } : {}) };
}

/**
 * Lets the control plane's runtime into a member: on EKS an access entry in a group the member's
 * RBAC gives the runtime's own rights (EKS access policies map to Kubernetes' built-in roles, which
 * cover neither spark-operator's resources nor nodes), and read access to its event-log bucket; on
 * GKE container.developer and read access to its bucket.
 */
function grantAccess(
  parent: pulumi.Resource,
  name: string,
  member: ControlPlaneMember,
  identities: ReturnType<typeof controlPlaneIdentities>,
  host: ControlPlaneMember,
) {
  const access = member.access;
  if (access.cloud === 'aws' && identities.aws) {
    const role = identities.aws;
    new aws.eks.AccessEntry(
      `${name}-${member.id}-access`,
      {
        clusterName: access.clusterName,
        principalArn: role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [CONTROL_PLANE_GROUP],
      },
      { parent, provider: access.provider },
    );
    const spark = member.handle.spark;
    for (const manifest of clusterAccessManifests({
      name: CONTROL_PLANE_RBAC_NAME,
      nodesRoleName: `${CONTROL_PLANE_RBAC_NAME}-nodes`,
      sparkNamespace: spark.namespace,
      operatorNamespace: member.operatorNamespace ?? OPERATOR_NAMESPACE,
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: CONTROL_PLANE_GROUP }],
      labels: appLabels(CONTROL_PLANE_RBAC_NAME, 'control-plane'),
    }))
      applyManifest(`${name}-${member.id}`, manifest, { parent, provider: member.handle.provider });
    // the role lives in the host's account: its own policy names each member's event logs (a member in
    // another account grants the same in its bucket and key policies: AwsCluster eventLogReaders)
    if (role.roleName && host.access.cloud === 'aws') {
      const bucket = access.bucket;
      new aws.iam.RolePolicy(
        `${name}-${member.id}-events`,
        {
          role: role.roleName,
          policy: pulumi
            .all([bucket.arn, bucket.kmsKeyArn])
            .apply(([arn, key]) => JSON.stringify(eventLogPrefixReadPolicy(arn, key, member.region))),
        },
        { parent, provider: host.access.provider },
      );
    }
  }
  if (access.cloud === 'gcp' && identities.gcp) {
    const opts = { parent, provider: access.provider };
    new gcp.projects.IAMMember(
      `${name}-${member.id}-developer`,
      { project: access.project, role: 'roles/container.developer', member: identities.gcp },
      opts,
    );
    new gcp.storage.BucketIAMMember(
      `${name}-${member.id}-events`,
      { bucket: access.bucketName, role: 'roles/storage.objectViewer', member: identities.gcp },
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
    let gcpCredentials: pulumi.Output<string> | undefined;
    const identities = controlPlaneIdentities(host, args.members, args.identity, (roleArn) => {
      const federation = createAwsFederation(this, name, { ...args.identity.gcpFederation!, roleArn });
      gcpCredentials = federation.credentials;
      return federation.principal;
    });
    for (const member of args.members) if (member !== host) grantAccess(this, name, member, identities, host);

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
          ...(gcpCredentials ? { gcpCredentials } : {}),
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
