/**
 * The Karpenter objects (EC2NodeClass, NodePools) as pure functions of the arguments. The node
 * pools carry the labels and taint of the shared placement contract (runtime/domain/placement.ts),
 * so every nodeSelector the runtime emits is satisfiable; a test checks it.
 */
import { NODE_LABELS, ROLE_LABEL, SPARK_TAINT, type SparkRole } from '../../runtime/domain/placement';
import type { NodePoolOffer } from '../cluster/handle';
import type { KarpenterArgs } from './args';

export const NODE_CLASS_NAME = 'spark';
const POOL_LABEL = 'sparkplane.io/pool';
const labels = NODE_LABELS.karpenter;

export interface SparkPoolDefinition {
  name: string;
  role: SparkRole;
  capacityTypes: string[];
  families: string[];
  /** Sizes a node of this pool never has. */
  excludedSizes: string[];
  limits: { cpu: number; memoryGiB: number };
  disruption: {
    consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
    consolidateAfter: string;
    budgets: { nodes: string; reasons?: string[] }[];
  };
  terminationGracePeriod: string;
}

/** The Spark node pools: on-demand drivers, optional spot drivers, spot-first executors. */
export function sparkPoolDefinitions(args: KarpenterArgs): SparkPoolDefinition[] {
  // drivers: only empty nodes are reclaimed, and drivers carry karpenter.sh/do-not-disrupt, so a
  // node is never consolidated while a driver runs on it
  const driverDisruption = {
    consolidationPolicy: 'WhenEmpty' as const,
    consolidateAfter: '5m',
    budgets: [{ nodes: '10%' }],
  };
  const driverSizes = ['nano', 'micro', 'small', 'metal'];
  const pools: SparkPoolDefinition[] = [
    {
      name: 'spark-driver',
      role: 'driver',
      capacityTypes: [labels.onDemand],
      families: args.driverInstanceFamilies,
      excludedSizes: driverSizes,
      limits: args.driverLimits,
      disruption: driverDisruption,
      terminationGracePeriod: '24h',
    },
  ];
  if (args.spotDrivers) {
    pools.push({ ...pools[0]!, name: 'spark-driver-spot', capacityTypes: [labels.spot] });
  }
  pools.push({
    name: 'spark-executor',
    role: 'executor',
    // spot first; Karpenter falls back to on-demand when no spot offering fits, and pods that
    // select on-demand get it
    capacityTypes: [labels.spot, labels.onDemand],
    families: args.executorInstanceFamilies,
    excludedSizes: ['nano', 'micro', 'small', 'medium', 'metal'],
    limits: args.executorLimits,
    disruption: {
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: args.executorConsolidateAfter,
      budgets: [
        { nodes: args.executorDisruptionBudget, reasons: ['Empty', 'Drifted'] },
        // under-used nodes are replaced more slowly: their executors lose cached blocks
        { nodes: '10%', reasons: ['Underutilized'] },
      ],
    },
    terminationGracePeriod: '1h',
  });
  return pools;
}

/** The spec of the EC2NodeClass shared by the Spark pools. */
export function ec2NodeClassSpec(input: {
  args: KarpenterArgs;
  clusterName: string;
  nodeRoleName: string;
  securityGroupId: string;
  /** Subnet ids; absent: subnets tagged karpenter.sh/discovery=<clusterName>. */
  subnetIds?: string[];
  tags: Record<string, string>;
}): Record<string, unknown> {
  const family = input.args.amiAlias.startsWith('bottlerocket') ? 'Bottlerocket' : 'AL2023';
  return {
    amiFamily: family,
    amiSelectorTerms: [{ alias: input.args.amiAlias }],
    role: input.nodeRoleName,
    subnetSelectorTerms: input.subnetIds
      ? input.subnetIds.map((id) => ({ id }))
      : [{ tags: { 'karpenter.sh/discovery': input.clusterName } }],
    securityGroupSelectorTerms: [{ id: input.securityGroupId }],
    // IMDSv2 only, and one hop: pods get AWS credentials from Pod Identity, never from the node
    metadataOptions: {
      httpEndpoint: 'enabled',
      httpProtocolIPv6: 'disabled',
      httpPutResponseHopLimit: 1,
      httpTokens: 'required',
    },
    blockDeviceMappings: [
      {
        deviceName: family === 'Bottlerocket' ? '/dev/xvdb' : '/dev/xvda',
        ebs: {
          volumeSize: `${input.args.rootVolumeGiB}Gi`,
          volumeType: 'gp3',
          iops: 3000,
          throughput: 125,
          encrypted: true,
          deleteOnTermination: true,
        },
      },
    ],
    // NVMe instance stores (the "d" families) become one RAID0 volume for kubelet and Spark's local dirs
    instanceStorePolicy: 'RAID0',
    tags: input.tags,
  };
}

/** The spec of one NodePool. */
export function nodePoolSpec(pool: SparkPoolDefinition, args: KarpenterArgs): Record<string, unknown> {
  return {
    template: {
      metadata: { labels: { [ROLE_LABEL]: pool.role, [POOL_LABEL]: pool.name } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: NODE_CLASS_NAME },
        taints: [{ ...SPARK_TAINT }],
        requirements: [
          { key: labels.capacityType, operator: 'In', values: pool.capacityTypes },
          { key: labels.instanceFamily, operator: 'In', values: pool.families },
          { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: pool.excludedSizes },
          { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: [String(args.maxInstanceCpu + 1)] },
          { key: 'kubernetes.io/arch', operator: 'In', values: args.architectures },
          { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        ],
        expireAfter: args.nodeExpireAfter,
        terminationGracePeriod: pool.terminationGracePeriod,
      },
    },
    disruption: pool.disruption,
    limits: { cpu: String(pool.limits.cpu), memory: `${pool.limits.memoryGiB}Gi` },
  };
}

/** What each pool offers to Spark pods (for the ClusterHandle and the placement check). */
export function nodePoolOffers(pools: SparkPoolDefinition[]): NodePoolOffer[] {
  return pools.map((pool) => ({
    name: pool.name,
    role: pool.role,
    capacityTypes: pool.capacityTypes,
    labels: { [ROLE_LABEL]: pool.role, [POOL_LABEL]: pool.name },
    variableLabelKeys: [labels.capacityType, labels.instanceFamily, labels.instanceType],
    taints: [{ ...SPARK_TAINT }],
  }));
}
