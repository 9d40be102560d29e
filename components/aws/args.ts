/**
 * Arguments of the AWS cluster component, validated once by a zod schema (also used by the stack
 * config, so a wrong value names its config key). Every value has a documented default.
 */
import { z } from 'zod';
import { MirrorArgs } from '../cluster/mirrors';
import { SparkIdentityArgs } from '../cluster/spark-identity';
import { parseCidr } from '../lib/subnets';
import { KUBERNETES_VERSION } from './versions';

const cidr = z.string().refine(
  (value) => {
    try {
      parseCidr(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IPv4 CIDR such as "10.0.0.0/16"' },
);
const iamArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, {
  message: 'is not an IAM role or user ARN such as "arn:aws:iam::123456789012:role/admins"',
});
/** A Karpenter duration: "90s", "5m", "1h30m". */
const duration = z.string().regex(/^([0-9]+(s|m|h))+$/, { message: 'is not a duration such as "90s", "5m" or "1h"' });
const instanceFamily = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { message: 'is not an EC2 instance family such as "m7i"' });

export const NetworkArgs = z.union([
  z.strictObject({
    /** CIDR of the new VPC. @default "10.0.0.0/16" */
    cidr: cidr.default('10.0.0.0/16'),
    /** Availability zones the VPC spans (2 or 3). @default 3 */
    zoneCount: z.number().int().min(2).max(3).default(3),
    /** One NAT gateway per zone (resilient) or one shared (cheaper). @default true */
    natGatewayPerZone: z.boolean().default(true),
  }),
  z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { message: 'is not a VPC id such as "vpc-0abc123"' }),
    /** Private subnets in at least two zones, with a route to a NAT gateway. */
    privateSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: 'is not a subnet id such as "subnet-0abc123"' }))
      .min(2),
  }),
]);

export const PoolLimits = z.strictObject({
  /** Total vCPUs of all nodes of the pool. */
  cpu: z.number().int().positive(),
  /** Total memory of all nodes of the pool, GiB. */
  memoryGiB: z.number().int().positive(),
});

export const KarpenterArgs = z.strictObject({
  /** EC2NodeClass AMI alias; pin a version ("al2023@v20250920") in production to control node rollouts. @default "al2023@latest" */
  amiAlias: z
    .string()
    .regex(/^(al2023|bottlerocket)@(latest|v[0-9.]+)$/, {
      message: 'is not an AL2023 or Bottlerocket alias such as "al2023@latest"',
    })
    .default('al2023@latest'),
  /** Root gp3 volume of Spark nodes, GiB. @default 100 */
  rootVolumeGiB: z.number().int().min(20).max(16_000).default(100),
  /** CPU architectures of Spark nodes. @default ["amd64"] */
  architectures: z
    .array(z.enum(['amd64', 'arm64']))
    .min(1)
    .default(['amd64']),
  /** Instance families of driver nodes (on-demand). @default ["m7i", "m6i", "m7a", "m6a"] */
  driverInstanceFamilies: z.array(instanceFamily).min(1).default(['m7i', 'm6i', 'm7a', 'm6a']),
  /** Instance families of executor nodes: wide, so spot capacity is found. NVMe "d" families get instance-store RAID0. */
  executorInstanceFamilies: z
    .array(instanceFamily)
    .min(1)
    .default([
      'm7i',
      'm6i',
      'm6id',
      'm7a',
      'm6a',
      'c7i',
      'c6i',
      'c6id',
      'c7a',
      'c6a',
      'r7i',
      'r6i',
      'r6id',
      'r7a',
      'r6a',
    ]),
  /** Largest number of vCPUs of one node. @default 64 */
  maxInstanceCpu: z.number().int().min(2).default(64),
  /** Limits of the driver pool. @default { cpu: 64, memoryGiB: 256 } */
  driverLimits: PoolLimits.default({ cpu: 64, memoryGiB: 256 }),
  /** Limits of the executor pool. @default { cpu: 1000, memoryGiB: 4000 } */
  executorLimits: PoolLimits.default({ cpu: 1000, memoryGiB: 4000 }),
  /** Also create a spot driver pool, for applications that ask for spot drivers. @default true */
  spotDrivers: z.boolean().default(true),
  /** How long an executor node stays empty or under-used before it is consolidated. @default "3m" */
  executorConsolidateAfter: duration.default('3m'),
  /** Spark's spark.dynamicAllocation.executorIdleTimeout, seconds: consolidateAfter must be longer. @default 60 */
  sparkExecutorIdleTimeoutSeconds: z.number().int().positive().default(60),
  /** Share of executor nodes disrupted at once (consolidation, drift). @default "20%" */
  executorDisruptionBudget: z
    .string()
    .regex(/^((100|[0-9]{1,2})%|[0-9]+)$/, { message: 'is not a node count or percentage such as "20%"' })
    .default('20%'),
  /** Nodes are replaced after this age (security patches). @default "720h" */
  nodeExpireAfter: duration.default('720h'),
});

export const DatabaseArgs = z.union([
  z.strictObject({ kind: z.literal('in-cluster') }),
  z.strictObject({
    kind: z.literal('managed'),
    /** @default "db.t4g.medium" */
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: 'is not an RDS instance class such as "db.t4g.medium"' })
      .default('db.t4g.medium'),
    /** @default 20 */
    allocatedStorageGiB: z.number().int().min(20).default(20),
    /** @default false */
    multiAz: z.boolean().default(false),
    /** @default 7 */
    backupRetentionDays: z.number().int().min(1).max(35).default(7),
    /** Refuse to delete the database on destroy. @default true */
    deletionProtection: z.boolean().default(true),
  }),
]);

/** A role in the target account that the component's AWS provider assumes (another account, a deploy role). */
export const AssumeRoleArgs = z.strictObject({
  roleArn: iamArn,
  /** Required by roles whose trust policy checks it. @default none */
  externalId: z.string().min(2).max(1224).optional(),
  /** @default "sparkplane" */
  sessionName: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, { message: 'is not an STS session name (2-64 of letters, digits, +=,.@_-)' })
    .default('sparkplane'),
});

export const AwsClusterArgs = z.strictObject({
  /** Name of the EKS cluster, also the runtime's cluster id and Karpenter's discovery tag. @default the component's name */
  clusterName: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/, { message: 'is not an EKS cluster name such as "spark-prod-eu-west-1"' })
    .optional(),
  /** Region of every resource, and of the AWS provider the component creates (unless one is passed). */
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'is not an AWS region such as "eu-west-1"' }),
  /** Assumed by the AWS provider the component creates; ignored when a provider is passed. @default none: the ambient credentials */
  assumeRole: AssumeRoleArgs.optional(),
  /** Namespaces and service accounts given an identity on the event-log bucket. @default SparkIdentityArgs defaults */
  spark: SparkIdentityArgs.default(SparkIdentityArgs.parse({})),
  /** @default KUBERNETES_VERSION */
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, { message: 'is not a Kubernetes minor version such as "1.33"' })
    .default(KUBERNETES_VERSION),
  /** Expose the API endpoint on the internet (to the CIDRs below); otherwise private to the VPC. @default false */
  publicEndpoint: z.boolean().default(false),
  /** CIDRs allowed to reach a public endpoint. @default [] (required when publicEndpoint) */
  publicAccessCidrs: z.array(cidr).default([]),
  /** @default a new VPC, 10.0.0.0/16 across 3 zones */
  network: NetworkArgs.default({ cidr: '10.0.0.0/16', zoneCount: 3, natGatewayPerZone: true }),
  /** IAM principals given cluster-admin through EKS access entries. @default [] */
  adminPrincipalArns: z.array(iamArn).default([]),
  /** Managed node group for add-ons (CoreDNS, Karpenter, spark-operator, sparkplane). */
  systemNodes: z
    .strictObject({
      /** @default ["m7i.large", "m6i.large"] */
      instanceTypes: z
        .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/))
        .min(1)
        .default(['m7i.large', 'm6i.large']),
      /** @default 2 */
      minSize: z.number().int().min(1).default(2),
      /** @default 4 */
      maxSize: z.number().int().min(1).default(4),
    })
    .default({ instanceTypes: ['m7i.large', 'm6i.large'], minSize: 2, maxSize: 4 }),
  eventLogs: z
    .strictObject({
      /** Days event logs are kept. @default 90 */
      retentionDays: z.number().int().positive().default(90),
      /** Days a shuffle fallback object is kept. @default 2 */
      shuffleRetentionDays: z.number().int().positive().default(2),
      /** Server-side encryption: a customer KMS key or S3-managed keys. @default "aws:kms" */
      encryption: z.enum(['aws:kms', 'AES256']).default('aws:kms'),
      /** Let `pulumi destroy` delete a non-empty bucket. @default false */
      forceDestroy: z.boolean().default(false),
      /** Prefix of the bucket's generated name (S3 names are global). @default "<clusterName>-events-" */
      bucketPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{2,36}$/, {
          message: 'is not an S3 bucket name prefix such as "acme-spark-events-"',
        })
        .optional(),
    })
    .default({ retentionDays: 90, shuffleRetentionDays: 2, encryption: 'aws:kms', forceDestroy: false }),
  karpenter: KarpenterArgs.default(KarpenterArgs.parse({})),
  /** Where the Karpenter and Load Balancer Controller charts and images come from. @default upstream */
  mirrors: MirrorArgs.default({}),
  /** Install the AWS Load Balancer Controller (IngressClass "alb"), needed by an ALB Ingress. @default false */
  loadBalancerController: z.boolean().default(false),
  /** @default { kind: "in-cluster" } */
  database: DatabaseArgs.default({ kind: 'in-cluster' }),
});

export type AwsClusterArgsInput = z.input<typeof AwsClusterArgs>;
export type AwsClusterArgs = z.output<typeof AwsClusterArgs>;
export type KarpenterArgs = z.output<typeof KarpenterArgs>;

/** Seconds of a Karpenter duration ("1h30m" -> 5400). */
export function durationSeconds(value: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600 };
  return [...value.matchAll(/([0-9]+)(s|m|h)/g)].reduce((sum, m) => sum + Number(m[1]) * units[m[2]!]!, 0);
}

/** Rules across fields, as messages naming the field, the value and the expectation. */
export function crossFieldErrors(args: AwsClusterArgs): string[] {
  const errors: string[] = [];
  if (args.publicEndpoint && args.publicAccessCidrs.length === 0) {
    errors.push(
      'publicAccessCidrs: [] is empty; expected the CIDRs allowed to reach the public endpoint (an open endpoint is refused)',
    );
  }
  if (args.publicAccessCidrs.includes('0.0.0.0/0')) {
    errors.push('publicAccessCidrs: "0.0.0.0/0" opens the API to the internet; expected specific CIDRs');
  }
  const k = args.karpenter;
  if (durationSeconds(k.executorConsolidateAfter) <= k.sparkExecutorIdleTimeoutSeconds) {
    errors.push(
      `karpenter.executorConsolidateAfter: "${k.executorConsolidateAfter}" is not longer than Spark's executor idle timeout ` +
        `(${k.sparkExecutorIdleTimeoutSeconds}s); expected a longer duration, or nodes are reclaimed under idle executors`,
    );
  }
  if (args.systemNodes.minSize > args.systemNodes.maxSize) {
    errors.push(`systemNodes.minSize: ${args.systemNodes.minSize} is larger than maxSize ${args.systemNodes.maxSize}`);
  }
  return errors;
}
