/**
 * A fleet as Pulumi resources: per entry a cluster (EKS or GKE, through a provider per account and
 * region) and its platform, and one control plane in the chosen cluster that every other cluster
 * registers with. Thin class over expandFleet.
 */
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { AwsCluster, awsProviderArgs } from '../aws/cluster';
import type { ClusterHandle } from '../cluster/handle';
import { ControlPlane, type ControlPlaneMember } from '../control-plane/control-plane';
import type { JobSpecInput } from '../jobs/spark-job-manifests';
import { GkeCluster } from '../gcp/cluster';
import { gcpLabels } from '../gcp/names';
import { resourceTags } from '../lib/tags';
import { SparkPlatform } from '../platform/platform';
import { crossAccountReaders, type ExpandedFleet, expandFleet, type FleetArgsInput, type FleetMember } from './fleet';

export interface FleetCluster {
  name: string;
  handle: ClusterHandle;
}

function memberCluster(
  parent: pulumi.Resource,
  member: FleetMember,
  tags: Record<string, string>,
  eventLogReaders: pulumi.Input<string>[],
) {
  const opts = { parent };
  if (member.cluster.cloud === 'aws') {
    const args = member.cluster.args;
    const provider = new aws.Provider(
      `${member.name}-aws`,
      awsProviderArgs(
        member.cluster.assumeRoleArn
          ? { ...args, assumeRole: { roleArn: member.cluster.assumeRoleArn, sessionName: 'sparkplane-fleet' } }
          : args,
        tags,
      ),
      opts,
    );
    const cluster = new AwsCluster(member.name, { ...args, tags, provider, eventLogReaders }, opts);
    const access = { cloud: 'aws' as const, provider, clusterName: cluster.clusterName, bucket: cluster.bucket };
    return { handle: cluster.handle, access };
  }
  const args = member.cluster.args;
  const provider = new gcp.Provider(
    `${member.name}-gcp`,
    {
      project: args.project,
      region: member.region.replace(/-[a-z]$/, ''),
      defaultLabels: gcpLabels(tags),
      ...(member.cluster.impersonateServiceAccount
        ? { impersonateServiceAccount: member.cluster.impersonateServiceAccount }
        : {}),
    },
    opts,
  );
  const cluster = new GkeCluster(member.name, { ...args, tags, provider }, opts);
  const access = { cloud: 'gcp' as const, provider, project: args.project, bucketName: cluster.bucketName };
  return { handle: cluster.handle, access };
}

export interface FleetComponentArgs extends FleetArgsInput {
  /** Jobs declared with the fleet, carried by the control plane. @default [] */
  jobs?: JobSpecInput[];
}

export class Fleet extends pulumi.ComponentResource {
  readonly clusters: FleetCluster[];
  readonly controlPlaneUrl: pulumi.Output<string>;
  readonly expanded: ExpandedFleet;

  constructor(name: string, input: FleetComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:fleet:Fleet', name, {}, opts);
    const { jobs = [], ...args } = input;
    this.expanded = expandFleet(args);
    const { members, controlPlane, tags } = this.expanded;
    const host = members.find((m) => m.name === controlPlane.cluster)!;
    const crossAccount = new Set(crossAccountReaders(this.expanded));
    const built = new Map<string, ReturnType<typeof memberCluster>>();
    const build = (member: FleetMember, readers: pulumi.Input<string>[]) => {
      const memberTags = resourceTags({ ...tags, environment: member.environment }, member.name);
      built.set(member.name, memberCluster(this, member, memberTags, readers));
    };
    // the host first: clusters in other AWS accounts name its runtime's role in their bucket policies
    build(host, []);
    const hostIdentity = built.get(host.name)!.handle.runtimeIdentity;
    const controlPlaneRole = hostIdentity?.cloud === 'aws' ? hostIdentity.roleArn : controlPlane.awsRoleArn;
    for (const member of members)
      if (member !== host) build(member, crossAccount.has(member.name) && controlPlaneRole ? [controlPlaneRole] : []);
    const registrations: ControlPlaneMember[] = [];
    this.clusters = members.map((member) => {
      const { handle, access } = built.get(member.name)!;
      registrations.push({
        id: member.name,
        region: member.region,
        handle,
        access,
        prices: member.prices,
        operatorNamespace: member.platform.operatorNamespace,
      });
      // the control plane installs the platform on its own cluster
      if (member.name !== controlPlane.cluster)
        new SparkPlatform(
          `${member.name}-platform`,
          { ...member.platform, cluster: handle, runtime: { enabled: member.ownRuntime } },
          { parent: this },
        );
      return { name: member.name, handle };
    });
    const federation = controlPlane.gcpFederation;
    // the pool is global: made with the provider of the account's first cluster (expandFleet checks there is one)
    const federationMember = federation && members.find((m) => m.account === federation.account);
    const federationAccess = federationMember && built.get(federationMember.name)!.access;
    const gcpFederation =
      federation && federationAccess?.cloud === 'gcp'
        ? {
            project: federationAccess.project,
            provider: federationAccess.provider,
            ...(federation.poolId ? { poolId: federation.poolId } : {}),
            ...(federation.providerId ? { providerId: federation.providerId } : {}),
          }
        : undefined;
    const plane = new ControlPlane(
      `${name}-control-plane`,
      {
        platform: host.platform,
        host: host.name,
        members: registrations,
        jobs,
        identity: {
          ...(controlPlane.awsRoleArn ? { awsRoleArn: controlPlane.awsRoleArn } : {}),
          ...(controlPlane.gcpPrincipal ? { gcpPrincipal: controlPlane.gcpPrincipal } : {}),
          ...(gcpFederation ? { gcpFederation } : {}),
        },
      },
      { parent: this },
    );
    this.controlPlaneUrl = plane.runtimeUrl;
    this.registerOutputs({ controlPlaneUrl: this.controlPlaneUrl });
  }
}
