import { describe, expect, it } from 'vitest';
import { loadCrdValidator } from '../../test/support/k8s-crd-validator';
import { KarpenterArgs } from './args';
import {
  ec2NodeClassSpec,
  NODE_CLASS_NAME,
  nodePoolOffers,
  nodePoolSpec,
  sparkPoolDefinitions,
} from './karpenter-objects';

const dir = new URL('../../../shared/schemas/karpenter/', import.meta.url);
const nodeClassCrd = loadCrdValidator(new URL('karpenter.k8s.aws_ec2nodeclasses.yaml', dir).pathname, 'v1');
const nodePoolCrd = loadCrdValidator(new URL('karpenter.sh_nodepools.yaml', dir).pathname, 'v1');

const nodeClass = (args: KarpenterArgs, subnetIds?: string[]) => ({
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name: NODE_CLASS_NAME },
  spec: ec2NodeClassSpec({
    args,
    clusterName: 'c',
    nodeRoleName: 'role',
    securityGroupId: 'sg-0abc',
    ...(subnetIds ? { subnetIds } : {}),
    tags: { environment: 'dev' },
  }),
});

describe('Karpenter objects', () => {
  const defaults = KarpenterArgs.parse({});

  it('validate against the CRD schemas, with defaults and with every option changed', () => {
    const changed = KarpenterArgs.parse({
      amiAlias: 'bottlerocket@latest',
      architectures: ['arm64', 'amd64'],
      spotDrivers: false,
      rootVolumeGiB: 500,
    });
    for (const args of [defaults, changed]) {
      expect(
        nodeClassCrd.errors(nodeClass(args, args === changed ? ['subnet-0abc', 'subnet-0def'] : undefined)),
      ).toEqual([]);
      for (const pool of sparkPoolDefinitions(args)) {
        expect(
          nodePoolCrd.errors({
            apiVersion: 'karpenter.sh/v1',
            kind: 'NodePool',
            metadata: { name: pool.name },
            spec: nodePoolSpec(pool, args),
          }),
          pool.name,
        ).toEqual([]);
      }
    }
  });

  it('the schema check catches a wrong field (it is not vacuous)', () => {
    const wrong = nodeClass(defaults);
    (wrong.spec.metadataOptions as Record<string, unknown>).httpTokens = 'sometimes';
    expect(nodeClassCrd.errors(wrong).join()).toMatch(/httpTokens/);
  });

  it('requires IMDSv2 with one hop and encrypted gp3 roots, RAID0 instance stores', () => {
    const spec = nodeClass(defaults).spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(spec.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true, volumeSize: '100Gi' });
    expect(spec.instanceStorePolicy).toBe('RAID0');
    expect(spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'c' } }]);
  });

  it('separates on-demand drivers from spot-first executors, with limits and consolidation after the idle timeout', () => {
    const pools = Object.fromEntries(sparkPoolDefinitions(defaults).map((p) => [p.name, p]));
    expect(Object.keys(pools)).toEqual(['spark-driver', 'spark-driver-spot', 'spark-executor']);
    expect(pools['spark-driver']!.capacityTypes).toEqual(['on-demand']);
    expect(pools['spark-executor']!.capacityTypes).toEqual(['spot', 'on-demand']);
    expect(pools['spark-executor']!.families.length).toBeGreaterThanOrEqual(10);
    expect(pools['spark-driver']!.disruption.consolidationPolicy).toBe('WhenEmpty');
    const executor = nodePoolSpec(pools['spark-executor']!, defaults) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(executor.limits).toEqual({ cpu: '1000', memory: '4000Gi' });
    expect(executor.disruption.consolidateAfter).toBe('3m');
    expect(executor.template.metadata.labels['sparkplane.io/role']).toBe('executor');
    expect(
      nodePoolOffers(sparkPoolDefinitions(KarpenterArgs.parse({ spotDrivers: false }))).map((o) => o.name),
    ).toEqual(['spark-driver', 'spark-executor']);
  });
});
