/**
 * The platform team's standards as rules over resources (type, name, inputs): pure functions, so
 * tests call them directly and the policy pack (./pack.ts) only adapts them to @pulumi/policy.
 * An ordered list of small rules, each with one comment saying what it protects.
 */
import { NODE_LABELS, ROLE_LABEL } from '../../runtime/domain/placement';
import type { StandardsConfig } from './config';

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CheckedResource {
  type: string;
  /** Logical name, as Pulumi names it. */
  name: string;
  urn: string;
  props: Props;
}

export interface Violation {
  rule: string;
  urn: string;
  message: string;
}

export interface Rule {
  name: string;
  description: string;
  /** Violations of one resource, or (stack rules) of the stack as a whole. */
  check(resources: CheckedResource[], config: StandardsConfig): Violation[];
  /** True when the rule needs the whole stack (one resource's facts are elsewhere). */
  stack?: true;
}

const KARPENTER_NODE_POOL = 'kubernetes:karpenter.sh/v1:NodePool';
const WORKLOAD_TYPES = [
  'kubernetes:apps/v1:Deployment',
  'kubernetes:apps/v1:StatefulSet',
  'kubernetes:apps/v1:DaemonSet',
  'kubernetes:batch/v1:Job',
];
/** AWS resources the components tag (the ones whose cost or ownership someone asks about). */
const TAGGABLE_PREFIXES = ['aws:eks/cluster:', 'aws:eks/nodeGroup:', 'aws:s3/bucket:', 'aws:kms/key:', 'aws:iam/role:'];
const TAGGABLE_TYPES = new Set([
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/natGateway:NatGateway',
  'aws:rds/instance:Instance',
  'aws:sqs/queue:Queue',
]);

function perResource(
  name: string,
  description: string,
  check: (r: CheckedResource, config: StandardsConfig) => string | undefined,
): Rule {
  return {
    name,
    description,
    check: (resources, config) =>
      resources.flatMap((r) => {
        const message = check(r, config);
        return message === undefined ? [] : [{ rule: name, urn: r.urn, message: `${r.type} ${r.name}: ${message}` }];
      }),
  };
}

/** Data must stay where the organisation may keep it. */
export const allowedRegions = perResource(
  'allowed-regions',
  'Cloud providers create resources only in the allowed regions.',
  (r, config) => {
    if (r.type !== 'pulumi:providers:aws' && r.type !== 'pulumi:providers:gcp') return undefined;
    const region = r.props.region as string | undefined;
    if (region === undefined) return 'names no region; expected one of the allowed regions';
    return config.allowedRegions.includes(region)
      ? undefined
      : `region ${JSON.stringify(region)} is outside the allowed regions ${JSON.stringify(config.allowedRegions)}`;
  },
);

/** Cost and ownership of every resource can be traced. */
export const requiredTags = perResource(
  'required-tags',
  'Taggable cloud resources carry the required tags.',
  (r, config) => {
    if (!TAGGABLE_TYPES.has(r.type) && !TAGGABLE_PREFIXES.some((p) => r.type.startsWith(p))) return undefined;
    const tags = (r.props.tags ?? {}) as Record<string, string>;
    const missing = config.requiredTags.filter((key) => !tags[key]);
    return missing.length === 0 ? undefined : `lacks the required tags ${JSON.stringify(missing)}`;
  },
);

/** A Kubernetes API open to the internet is an attack surface. */
export const privateClusterEndpoint = perResource(
  'public-endpoint-allow-list',
  'A public cluster API endpoint is limited to an allow-list of CIDRs (never 0.0.0.0/0).',
  (r) => {
    if (r.type !== 'aws:eks/cluster:Cluster' || r.props.vpcConfig?.endpointPublicAccess !== true) return undefined;
    const cidrs = (r.props.vpcConfig.publicAccessCidrs ?? []) as string[];
    if (cidrs.length === 0) return 'has a public endpoint without publicAccessCidrs (open to the internet)';
    return cidrs.includes('0.0.0.0/0') ? 'has a public endpoint open to 0.0.0.0/0' : undefined;
  },
);

/** Secrets and data at rest are encrypted with keys the account controls. */
export const encryptedAtRest = perResource(
  'encrypted-at-rest',
  'Cluster secrets, databases and queues are encrypted at rest.',
  (r) => {
    if (r.type === 'aws:eks/cluster:Cluster') {
      const resources = ((r.props.encryptionConfig ?? {}).resources ?? []) as string[];
      return resources.includes('secrets') ? undefined : 'does not encrypt Kubernetes secrets (encryptionConfig)';
    }
    if (r.type === 'aws:rds/instance:Instance')
      return r.props.storageEncrypted === true ? undefined : 'stores its data unencrypted (storageEncrypted)';
    if (r.type === 'aws:sqs/queue:Queue')
      return r.props.sqsManagedSseEnabled === true || r.props.kmsMasterKeyId
        ? undefined
        : 'keeps its messages unencrypted';
    return undefined;
  },
);

/** Every bucket has a server-side encryption configuration (matched by the bucket's name or id). */
export const encryptedBuckets: Rule = {
  name: 'encrypted-buckets',
  description: 'Every S3 bucket has a server-side encryption configuration.',
  stack: true,
  check: (resources) => {
    const configured = new Set(
      resources
        .filter(
          (r) => r.type === 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
        )
        .filter((r) =>
          ((r.props.rules ?? []) as Props[]).some((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
        )
        .map((r) => String(r.props.bucket)),
    );
    return resources
      .filter((r) => r.type === 'aws:s3/bucket:Bucket')
      .filter((r) => ![r.props.id, r.props.bucket, `${r.name}-id`].some((key) => key && configured.has(String(key))))
      .map((r) => ({
        rule: 'encrypted-buckets',
        urn: r.urn,
        message: `${r.type} ${r.name}: has no server-side encryption configuration`,
      }));
  },
};

/** A driver lost to a spot reclaim loses the whole application. */
export const noSpotDrivers = perResource(
  'no-spot-drivers',
  'No node pool mixes spot and on-demand capacity for Spark drivers (a driver would land on spot unasked).',
  (r) => {
    if (r.type !== KARPENTER_NODE_POOL) return undefined;
    const template = r.props.spec?.template ?? {};
    const role = template.metadata?.labels?.[ROLE_LABEL] as string | undefined;
    if (role !== undefined && role !== 'driver') return undefined;
    const capacity = ((template.spec?.requirements ?? []) as Props[]).find(
      (req) => req.key === NODE_LABELS.karpenter.capacityType,
    );
    const values = (capacity?.values ?? [NODE_LABELS.karpenter.spot, NODE_LABELS.karpenter.onDemand]) as string[];
    // a spot-only driver pool is an opt-in: only drivers that select spot capacity are placed there
    return values.includes(NODE_LABELS.karpenter.spot) && values.length > 1
      ? `lets Spark drivers run on spot (capacity types ${JSON.stringify(values)}${role ? '' : ', any role'})`
      : undefined;
  },
);

/** An autoscaler without limits turns a runaway job into an unbounded bill. */
export const boundedPools = perResource(
  'bounded-autoscaler-pools',
  'Every autoscaled node pool has CPU and memory limits (Karpenter) or a maximum size (node groups).',
  (r) => {
    if (r.type === KARPENTER_NODE_POOL) {
      const limits = r.props.spec?.limits ?? {};
      return limits.cpu !== undefined && limits.memory !== undefined ? undefined : 'has no cpu and memory limits';
    }
    if (r.type === 'aws:eks/nodeGroup:NodeGroup')
      return r.props.scalingConfig?.maxSize !== undefined ? undefined : 'has no scalingConfig.maxSize';
    return undefined;
  },
);

/** The scheduler and the autoscaler size nodes from requests: a workload without them starves others. */
export const resourceRequests = perResource(
  'resource-requests',
  'Every container of a Kubernetes workload requests CPU and memory.',
  (r) => {
    if (!WORKLOAD_TYPES.includes(r.type)) return undefined;
    const spec = r.props.spec?.template?.spec ?? {};
    const containers = [...((spec.initContainers ?? []) as Props[]), ...((spec.containers ?? []) as Props[])];
    const missing = containers
      .filter((c) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory)
      .map((c) => String(c.name));
    return missing.length === 0 ? undefined : `containers ${JSON.stringify(missing)} request no cpu or memory`;
  },
);

/** Every rule, in the order they are reported. */
export const STANDARDS: Rule[] = [
  allowedRegions,
  requiredTags,
  privateClusterEndpoint,
  encryptedAtRest,
  encryptedBuckets,
  noSpotDrivers,
  boundedPools,
  resourceRequests,
];

/** Every violation of the standards in a stack's resources. */
export function checkStandards(resources: CheckedResource[], config: StandardsConfig): Violation[] {
  return STANDARDS.flatMap((rule) => rule.check(resources, config));
}
