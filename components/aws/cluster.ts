/**
 * A production-grade Spark cluster on AWS: network, EKS, event-log bucket, Pod Identity for Spark,
 * Karpenter with driver and executor pools, and optionally the runtime's managed database. Thin
 * class; the work is in createAwsCluster and the functions it calls.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DomainError } from '../../runtime/domain/errors';
import { parseOrThrow } from '../../runtime/domain/validation';
import type { ClusterHandle } from '../cluster/handle';
import { type SparkIdentityNames, sparkIdentityNames } from '../cluster/spark-identity';
import { AwsClusterArgs, type AwsClusterArgsInput, crossFieldErrors } from './args';
import { type AwsContext, childOptions } from './context';
import { createManagedDatabase } from './database';
import { createEks, createRole } from './eks';
import { createEventLogBucket, type EventLogBucket } from './event-log-bucket';
import { eventLogReadPolicy, podIdentityTrustPolicy, sparkBucketPolicy } from './iam-policies';
import { createKarpenter } from './karpenter';
import { nodePoolOffers, sparkPoolDefinitions } from './karpenter-objects';
import { ALB_INGRESS_CLASS, createLoadBalancerController } from './load-balancer-controller';
import { createNetwork } from './network';

export interface AwsClusterComponentArgs extends AwsClusterArgsInput {
  /** Tags of every resource (see components/lib/tags.ts). @default {} */
  tags?: Record<string, string>;
  /**
   * The AWS provider of every child (its region must be `region`): e.g. one per account of a fleet.
   * @default a provider the component creates for `region`, assuming `assumeRole` if given, with `tags` as default tags
   */
  provider?: aws.Provider;
  /**
   * IAM roles of other AWS accounts that read the event logs (a control plane's runtime): the bucket's
   * policy, and its key's when encrypted with "aws:kms", grant them list and get under the event-log
   * prefix; their own account must grant them the same (ControlPlane does). @default []
   */
  eventLogReaders?: pulumi.Input<string>[];
}

/** The provider the component creates when none is passed: the region, an assumed role, default tags. */
export function awsProviderArgs(args: AwsClusterArgs, tags: Record<string, string>): aws.ProviderArgs {
  return {
    region: args.region as aws.Region,
    defaultTags: { tags },
    ...(args.assumeRole
      ? {
          assumeRoles: [
            {
              roleArn: args.assumeRole.roleArn,
              sessionName: args.assumeRole.sessionName,
              ...(args.assumeRole.externalId ? { externalId: args.assumeRole.externalId } : {}),
            },
          ],
        }
      : {}),
  };
}

/** Validates the arguments: every problem, each naming the field (under `prefix`), the value and the expectation. */
export function validateAwsClusterArgs(input: unknown, prefix: readonly PropertyKey[] = []): AwsClusterArgs {
  const args = parseOrThrow(AwsClusterArgs, input, prefix);
  const errors = crossFieldErrors(args).map((e) => (prefix.length ? `${prefix.join('.')}.${e}` : e));
  if (errors.length > 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      errors.join('; '),
      errors.map((message) => ({ path: prefix.join('.'), message })),
    );
  return args;
}

export interface AwsClusterOutputs {
  handle: ClusterHandle;
  clusterName: string;
  endpoint: pulumi.Output<string>;
  bucket: EventLogBucket;
}

/** Pod Identity roles for Spark (read/write the bucket), the runtime and the History Server (read only). */
function createSparkIdentity(
  ctx: AwsContext,
  clusterName: pulumi.Input<string>,
  bucket: EventLogBucket,
  region: string,
  accountId: pulumi.Output<string>,
  identity: Required<SparkIdentityNames>,
) {
  const trust = accountId.apply(podIdentityTrustPolicy);
  const kmsKeyArn = bucket.kmsKeyArn ?? pulumi.output(undefined);
  const grants = [
    {
      suffix: 'spark',
      policy: sparkBucketPolicy,
      accounts: [identity.driverServiceAccount, identity.executorServiceAccount],
      namespace: identity.namespace,
    },
    {
      // metrics, cost and tuning come from the event logs the runtime reads
      suffix: 'runtime',
      policy: eventLogReadPolicy,
      accounts: [identity.runtimeServiceAccount],
      namespace: identity.systemNamespace,
    },
    {
      suffix: 'history',
      policy: eventLogReadPolicy,
      accounts: [identity.historyServiceAccount],
      namespace: identity.historyNamespace,
    },
  ];
  const roles = new Map(
    grants.map((grant) => {
      const name = `${ctx.name}-${grant.suffix}`;
      const role = createRole(ctx, name, trust);
      new aws.iam.RolePolicy(
        name,
        {
          role: role.name,
          policy: pulumi
            .all([bucket.arn, kmsKeyArn])
            .apply(([arn, key]) => JSON.stringify(grant.policy(arn, key, region))),
        },
        childOptions(ctx),
      );
      for (const serviceAccount of grant.accounts) {
        new aws.eks.PodIdentityAssociation(
          `${ctx.name}-${serviceAccount}`,
          { clusterName, namespace: grant.namespace, serviceAccount, roleArn: role.arn, tags: ctx.tags },
          childOptions(ctx),
        );
      }
      return [grant.suffix, role] as const;
    }),
  );
  // the runtime's: a control plane running here is let into the other clusters as this role
  return { runtime: roles.get('runtime')! };
}

export function createAwsCluster(
  parent: pulumi.ComponentResource,
  name: string,
  input: AwsClusterComponentArgs,
): AwsClusterOutputs {
  const { tags = {}, provider: givenProvider, eventLogReaders = [], ...rest } = input;
  const args = validateAwsClusterArgs(rest);
  const clusterName = args.clusterName ?? name;
  const identity = sparkIdentityNames(args.spark);
  const provider = givenProvider ?? new aws.Provider(`${name}-aws`, awsProviderArgs(args, tags), { parent });
  const ctx: AwsContext = { name, parent, provider, tags };
  const invokeOpts = { parent, provider };
  const accountId = aws.getCallerIdentityOutput({}, invokeOpts).accountId;
  const partition = aws.getPartitionOutput({}, invokeOpts).partition;

  const network = createNetwork(ctx, args.network, clusterName);
  const eks = createEks(ctx, args, clusterName, network.privateSubnetIds, accountId);
  const k8sProvider = new k8s.Provider(
    `${name}-k8s`,
    { kubeconfig: eks.kubeconfig, enableServerSideApply: true },
    { parent },
  );
  const bucket = createEventLogBucket(ctx, args.eventLogs, args.eventLogs.bucketPrefix ?? `${clusterName}-events-`, {
    roleArns: eventLogReaders,
    accountId,
    partition,
    region: args.region,
  });
  const roles = createSparkIdentity(ctx, eks.cluster.name, bucket, args.region, accountId, identity);

  const pools = sparkPoolDefinitions(args.karpenter);
  const karpenter = createKarpenter(ctx, {
    args: args.karpenter,
    clusterName: eks.clusterName,
    cluster: eks.cluster,
    nodeRole: eks.sparkNodeRole,
    securityGroupId: eks.securityGroupId,
    ...(network.existingSubnetIds ? { existingSubnetIds: network.existingSubnetIds } : {}),
    accountId,
    partition,
    region: args.region,
    k8sProvider,
    pools,
    mirrors: args.mirrors,
    dependsOn: [eks.podIdentityAgent, eks.systemNodes],
  });
  const lbController = args.loadBalancerController
    ? createLoadBalancerController(ctx, {
        clusterName,
        cluster: eks.cluster,
        region: args.region,
        vpcId: network.vpcId,
        accountId,
        partition,
        k8sProvider,
        dependsOn: [eks.podIdentityAgent, eks.systemNodes],
        mirrors: args.mirrors,
      })
    : undefined;
  const database =
    args.database.kind === 'managed'
      ? createManagedDatabase(ctx, args.database, {
          vpcId: network.vpcId,
          subnetIds: network.privateSubnetIds,
          clusterSecurityGroupId: eks.securityGroupId,
        })
      : undefined;

  const handle: ClusterHandle = {
    clusterName: eks.cluster.name,
    kubeconfig: eks.kubeconfig,
    provider: k8sProvider,
    objectStorageUrl: pulumi.interpolate`s3a://${bucket.name}`,
    spark: { ...identity, serviceAccountAnnotations: {} },
    runtimeIdentity: { cloud: 'aws', roleArn: roles.runtime.arn, roleName: roles.runtime.name },
    autoscaler: 'karpenter',
    nodePools: nodePoolOffers(pools),
    ...(database ? { database } : {}),
    ingressClasses: lbController ? [ALB_INGRESS_CLASS] : [],
    dependsOn: [eks.systemNodes, ...karpenter.nodePools, ...(lbController ? [lbController] : [])],
  };
  return { handle, clusterName: eks.clusterName, endpoint: eks.cluster.endpoint, bucket };
}

/** An EKS cluster for Spark; `handle` is what the platform component takes. */
export class AwsCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;
  readonly clusterName: string;
  readonly endpoint: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;
  /** The event-log bucket's ARN and KMS key (absent with S3-managed keys), for readers elsewhere. */
  readonly bucket: { arn: pulumi.Output<string>; kmsKeyArn?: pulumi.Output<string> };
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: AwsClusterComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:aws:Cluster', name, {}, opts);
    const outputs = createAwsCluster(this, name, args);
    this.handle = outputs.handle;
    this.clusterName = outputs.clusterName;
    this.endpoint = outputs.endpoint;
    this.bucketName = outputs.bucket.name;
    const { arn, kmsKeyArn } = outputs.bucket;
    this.bucket = { arn, ...(kmsKeyArn ? { kmsKeyArn } : {}) };
    this.kubeconfig = outputs.handle.kubeconfig;
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      bucketName: this.bucketName,
      kubeconfig: this.kubeconfig,
    });
  }
}
