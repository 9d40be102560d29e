/**
 * The contract between the runtime and the cluster components, checked end to end: every
 * placement the runtime's Kubernetes back-end can emit (nodeSelector, affinity keys, tolerations)
 * is satisfiable by a Karpenter NodePool the AWS stack creates, and the runtime's cluster
 * settings rendered into its ConfigMap are accepted by the runtime's own schema.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubernetesClusterSettings } from '../../runtime/adapters/k8s/cluster-settings';
import { type EmittablePlacement, emittablePlacements } from '../../runtime/adapters/k8s/node-placement';
import { ClusterSpec } from '../../runtime/domain/cluster';
import { NODE_LABELS } from '../../runtime/domain/placement';
import { kubernetesResources, renderStack, AWS_STACKS } from '../../stacks/render';

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}
interface NodePool {
  metadata: { name: string };
  spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: { requirements: Requirement[]; taints: { key: string; value: string; effect: string }[] };
    };
  };
}

/** Labels Karpenter sets on every node it launches on AWS, from the instance it chose. */
const WELL_KNOWN_NODE_LABELS: string[] = [
  NODE_LABELS.karpenter.instanceType,
  NODE_LABELS.karpenter.instanceFamily,
  NODE_LABELS.karpenter.capacityType,
];

/** Why `pool` cannot run a pod with `placement`; empty when it can. */
function unsatisfied(
  pool: NodePool,
  placement: Pick<EmittablePlacement, 'nodeSelector' | 'affinityLabelKeys' | 'tolerations'>,
): string[] {
  const { labels } = pool.spec.template.metadata;
  const { requirements, taints } = pool.spec.template.spec;
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(placement.nodeSelector)) {
    const requirement = requirements.find((r) => r.key === key);
    const offered = labels[key] === value || (requirement?.operator === 'In' && requirement.values?.includes(value));
    if (!offered) reasons.push(`no label ${key}=${value}`);
  }
  for (const key of placement.affinityLabelKeys) {
    if (!WELL_KNOWN_NODE_LABELS.includes(key) && !requirements.some((r) => r.key === key) && !(key in labels))
      reasons.push(`no label key ${key}`);
  }
  for (const taint of taints) {
    const tolerated = placement.tolerations.some(
      (t) =>
        t.key === taint.key &&
        (t.operator === 'Exists' || t.value === taint.value) &&
        (!t.effect || t.effect === taint.effect),
    );
    if (!tolerated) reasons.push(`taint ${taint.key}=${taint.value}:${taint.effect} not tolerated`);
  }
  return reasons;
}

describe.each(AWS_STACKS)('stack %s: placements the runtime emits', (stack) => {
  let pools: NodePool[];
  let clustersFile: string;

  beforeAll(async () => {
    const run = await renderStack(stack);
    const objects = kubernetesResources(run.resources).map((r) => r.inputs as Record<string, unknown>);
    pools = objects.filter((o) => o.kind === 'NodePool') as unknown as NodePool[];
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && (o.metadata as { name: string }).name === 'sparkplane-config',
    ) as { data: Record<string, string> };
    clustersFile = configMap.data['clusters.yaml']!;
  });

  it.each(emittablePlacements('karpenter').map((p) => [`${p.role} on ${p.spot ? 'spot' : 'on-demand'}`, p] as const))(
    'a node pool can run a %s',
    (_label, placement) => {
      const fits = pools.filter((pool) => unsatisfied(pool, placement).length === 0).map((pool) => pool.metadata.name);
      const reasons = Object.fromEntries(pools.map((pool) => [pool.metadata.name, unsatisfied(pool, placement)]));
      expect(fits, JSON.stringify(reasons)).not.toEqual([]);
      // a driver never lands on an executor pool, and the reverse
      expect(fits.every((name) => name.includes(placement.role))).toBe(true);
    },
  );

  it('the check fails for a label no pool provides and for a pod without the Spark toleration', () => {
    const driver = emittablePlacements('karpenter')[0]!;
    expect(
      pools.every(
        (pool) => unsatisfied(pool, { ...driver, nodeSelector: { 'sparkplane.io/role': 'notebook' } }).length > 0,
      ),
    ).toBe(true);
    expect(pools.every((pool) => unsatisfied(pool, { ...driver, tolerations: [] }).length > 0)).toBe(true);
  });

  it("renders cluster settings the runtime's own schemas accept", () => {
    const clusters = parse(clustersFile) as unknown[];
    expect(clusters).toHaveLength(1);
    const cluster = ClusterSpec.parse(clusters[0]);
    expect(cluster).toMatchObject({ id: `sparkplane-${stack}`, backend: 'kubernetes' });
    const settings = KubernetesClusterSettings.parse(cluster.settings);
    expect(settings).toMatchObject({
      namespace: 'spark-apps',
      serviceAccount: 'spark-driver',
      executorServiceAccount: 'spark-executor',
      autoscaler: 'karpenter',
    });
    // the bucket: the back-end writes under its event-log directory, the one the History Server lists
    expect(settings.eventLogBucketUrl).toBe(`s3a://sparkplane-${stack}-events`);
  });
});
