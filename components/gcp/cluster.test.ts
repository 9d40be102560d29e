/**
 * The GKE component rendered under Pulumi mocks with the platform on it: the inputs that matter
 * (cluster, pools, bucket, Workload Identity grants), ComputeClasses valid against their CRD,
 * every placement the runtime emits satisfiable by a ComputeClass, and names stable across re-renders.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { emittablePlacements } from '../../runtime/adapters/k8s/node-placement';
import { loadCrdValidator } from '../../test/support/k8s-crd-validator';
import { SparkPlatform } from '../platform/platform';
import { type RecordedResource, runUnderMocks, valueOf } from '../testing/pulumi-mocks';
import { GkeCluster, type GkeClusterComponentArgs, validateGkeClusterArgs } from './cluster';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const computeClassCrd = loadCrdValidator(
  fileURLToPath(new URL('../../test/schemas/gke/cloud.google.com_computeclasses.yaml', import.meta.url)),
  'v1',
);

const ARGS: GkeClusterComponentArgs = {
  project: 'acme-analytics-dev',
  location: 'europe-west1',
  clusterName: 'spark-dev-euw1',
  authorizedNetworks: ['203.0.113.0/24'],
  tags: { environment: 'dev', owner: 'data-platform', 'sparkplane:stack': 'gke-dev' },
};

function render(args: GkeClusterComponentArgs = ARGS) {
  return runUnderMocks(() => {
    const cluster = new GkeCluster('gke', args);
    new SparkPlatform('sparkplane', { runtimeImage: 'ghcr.io/acme/sparkplane:0.1.0', cluster: cluster.handle });
    return cluster;
  });
}

function all(resources: RecordedResource[], type: string): Inputs[] {
  return resources.filter((r) => r.type === type).map((r) => r.inputs as Inputs);
}
function one(resources: RecordedResource[], type: string): Inputs {
  const found = all(resources, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** The labels and taints of the nodes a ComputeClass creates, as GKE sets them. */
function classNodes(computeClass: Inputs): { labels: Record<string, string>; taints: Taint[]; spot: boolean[] } {
  const name = computeClass.metadata.name as string;
  const spot = (computeClass.spec.priorities as { spot: boolean }[]).map((p) => p.spot);
  return {
    labels: { ...computeClass.spec.nodePoolConfig.nodeLabels, 'cloud.google.com/compute-class': name },
    taints: [
      ...(computeClass.spec.nodePoolConfig.taints as Taint[]),
      { key: 'cloud.google.com/compute-class', value: name, effect: 'NoSchedule' },
      // GKE taints the spot nodes it creates
      ...(spot.includes(true) ? [{ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' }] : []),
    ],
    spot,
  };
}

function unsatisfied(
  computeClass: Inputs,
  placement: { nodeSelector: Record<string, string>; tolerations: { key?: string; value?: string }[] },
): string[] {
  const nodes = classNodes(computeClass);
  const reasons = Object.entries(placement.nodeSelector)
    .filter(([key, value]) => nodes.labels[key] !== value)
    .map(([key, value]) => `no label ${key}=${value}`);
  for (const taint of nodes.taints)
    if (!placement.tolerations.some((t) => t.key === taint.key && t.value === taint.value))
      reasons.push(`taint ${taint.key}=${taint.value} not tolerated`);
  return reasons;
}

describe('GkeCluster', () => {
  let resources: RecordedResource[];
  let cluster: GkeCluster;
  let classes: Inputs[];

  beforeAll(async () => {
    const run = await render();
    resources = run.resources;
    cluster = run.result;
    classes = resources
      .filter((r) => r.type === 'kubernetes:cloud.google.com/v1:ComputeClass')
      .map((r) => r.inputs as Inputs);
  });

  it('creates a private, shielded GKE Standard cluster with Workload Identity and OPTIMIZE_UTILIZATION', () => {
    const gke = one(resources, 'gcp:container/cluster:Cluster');
    expect(gke).toMatchObject({
      name: 'spark-dev-euw1',
      location: 'europe-west1',
      removeDefaultNodePool: true,
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
      masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: '203.0.113.0/24' }] },
      releaseChannel: { channel: 'REGULAR' },
      workloadIdentityConfig: { workloadPool: 'acme-analytics-dev.svc.id.goog' },
      enableShieldedNodes: true,
      databaseEncryption: { state: 'ENCRYPTED' },
      deletionProtection: true,
    });
    expect(gke.minMasterVersion).toBeUndefined();
    expect(gke.clusterAutoscaling.autoscalingProfile).toBe('OPTIMIZE_UTILIZATION');
    expect(gke.clusterAutoscaling.resourceLimits).toEqual([
      { resourceType: 'cpu', minimum: 0, maximum: 1000 },
      { resourceType: 'memory', minimum: 0, maximum: 4000 },
    ]);
    // GCP labels are lowercase letters, digits, _ and -: the tag "sparkplane:stack" becomes sparkplane_stack
    expect(gke.resourceLabels).toMatchObject({ environment: 'dev', sparkplane_stack: 'gke-dev' });
    const system = one(resources, 'gcp:container/nodePool:NodePool');
    expect(system).toMatchObject({
      name: 'system',
      autoscaling: { minNodeCount: 1, maxNodeCount: 3 },
      nodeConfig: {
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        serviceAccount: 'spark-dev-euw1-nodes@acme-analytics-dev.iam.gserviceaccount.com',
      },
    });
    expect(system.nodeConfig.taints).toBeUndefined();
  });

  it('creates an encrypted event-log bucket with uniform access and grants it by principal to the four workloads', async () => {
    const bucket = one(resources, 'gcp:storage/bucket:Bucket');
    expect(bucket).toMatchObject({
      location: 'EUROPE-WEST1',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      lifecycleRules: [{ condition: { age: 90 }, action: { type: 'Delete' } }],
    });
    expect(bucket.encryption.defaultKmsKeyName).toBe('gke-event-logs-id');
    const keyGrants = all(resources, 'gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember').map((g) => g.member);
    expect(keyGrants.some((m: string) => m.endsWith('@gs-project-accounts.iam.gserviceaccount.com'))).toBe(true);
    expect(keyGrants.some((m: string) => m.endsWith('@container-engine-robot.iam.gserviceaccount.com'))).toBe(true);
    const number = await valueOf(cluster.projectNumber);
    expect(number).toMatch(/^\d{12}$/);
    const pool = `principal://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/acme-analytics-dev.svc.id.goog`;
    const grants = all(resources, 'gcp:storage/bucketIAMMember:BucketIAMMember').map((g) => `${g.role} ${g.member}`);
    expect(grants.sort()).toEqual(
      [
        `roles/storage.objectUser ${pool}/subject/ns/spark-apps/sa/spark-driver`,
        `roles/storage.objectUser ${pool}/subject/ns/spark-apps/sa/spark-executor`,
        `roles/storage.objectViewer ${pool}/subject/ns/sparkplane/sa/sparkplane`,
        `roles/storage.objectViewer ${pool}/subject/ns/sparkplane/sa/spark-history-server`,
      ].sort(),
    );
    expect(await valueOf(cluster.handle.objectStorageUrl)).toBe(`gs://${String(bucket.name)}`);
  });

  it('renders ComputeClasses valid against the CRD: executors spot first with on-demand fallback and migration back, drivers on on-demand', () => {
    expect(classes.map((c) => c.metadata.name).sort()).toEqual([
      'spark-driver',
      'spark-driver-spot',
      'spark-executor',
      'spark-executor-on-demand',
    ]);
    for (const c of classes) expect(computeClassCrd.errors(c), c.metadata.name).toEqual([]);
    const byName = Object.fromEntries(classes.map((c) => [c.metadata.name, c]));
    const executor = byName['spark-executor']!;
    const spot = (executor.spec.priorities as { spot: boolean }[]).map((p) => p.spot);
    expect(spot).toEqual([true, true, true, false, false, false]);
    expect(executor.spec.activeMigration).toEqual({ optimizeRulePriority: true });
    expect(executor.spec.nodePoolAutoCreation).toEqual({ enabled: true });
    const driver = byName['spark-driver']!;
    expect((driver.spec.priorities as { spot: boolean }[]).every((p) => p.spot === false)).toBe(true);
    expect(byName['spark-driver-spot']!.spec.activeMigration).toEqual({ optimizeRulePriority: false });
    expect(classes.map((c) => ({ name: c.metadata.name, spec: c.spec }))).toMatchSnapshot();
    // the CRD check fails on a wrong value
    expect(computeClassCrd.errors({ ...driver, spec: { ...driver.spec, whenUnsatisfiable: 'Sometimes' } })).not.toEqual(
      [],
    );
  });

  it.each(emittablePlacements('gke').map((p) => [`${p.role} on ${p.spot ? 'spot' : 'on-demand'}`, p] as const))(
    'a ComputeClass can run a %s, and only of its role and capacity',
    (_label, placement) => {
      const fits = classes.filter((c) => unsatisfied(c, placement).length === 0);
      const reasons = Object.fromEntries(classes.map((c) => [c.metadata.name, unsatisfied(c, placement)]));
      expect(
        fits.map((c) => c.metadata.name),
        JSON.stringify(reasons),
      ).toHaveLength(1);
      const nodes = classNodes(fits[0]!);
      expect(nodes.labels['sparkplane.io/role']).toBe(placement.role);
      // an on-demand pod never lands on spot; a spot pod may fall back to on-demand
      if (!placement.spot) expect(nodes.spot.every((s) => !s)).toBe(true);
      else expect(nodes.spot[0]).toBe(true);
    },
  );

  it('the placement check fails without the Spark toleration', () => {
    const driver = emittablePlacements('gke')[0]!;
    const withoutSpark = { ...driver, tolerations: driver.tolerations.filter((t) => t.key !== 'sparkplane.io/spark') };
    expect(classes.every((c) => unsatisfied(c, withoutSpark).length > 0)).toBe(true);
  });

  it('installs the platform with the runtime set for GKE', () => {
    const configMap = resources.find(
      (r) => r.type === 'kubernetes:core/v1:ConfigMap' && (r.inputs as Inputs).metadata.name === 'sparkplane-config',
    )!.inputs as Inputs;
    expect(configMap.data['clusters.yaml']).toContain('autoscaler: gke');
    expect(configMap.data['clusters.yaml']).toMatch(/eventLogBucketUrl: gs:\/\/[a-z0-9-]+\n/);
  });

  it('keeps every name across re-renders with other settings, and every child on its explicit provider', async () => {
    const other = await render({
      ...ARGS,
      tags: { environment: 'dev', owner: 'someone-else' },
      eventLogs: { retentionDays: 30 },
      spark: { machineFamilies: ['c3'] },
      systemNodes: { maxNodes: 5 },
    });
    const names = (rs: RecordedResource[]) => rs.map((r) => `${r.type} ${r.name}`).sort();
    expect(names(other.resources)).toEqual(names(resources));
    const component = resources.find((r) => r.type === 'sparkplane:gcp:Cluster')!;
    const gcpChildren = resources.filter((r) => r.type.startsWith('gcp:') && r.custom);
    expect(gcpChildren.length).toBeGreaterThan(10);
    for (const r of gcpChildren) {
      expect(r.parentUrn, r.name).toBe(component.urn);
      expect(r.provider, r.name).toContain('pulumi:providers:gcp::gke-gcp');
    }
  });

  it('creates no network with an existing VPC, and a zonal cluster with a pinned version', async () => {
    const { resources: zonal } = await render({
      ...ARGS,
      location: 'europe-west1-b',
      releaseChannel: 'UNSPECIFIED',
      kubernetesVersion: '1.33',
      network: { network: 'shared', subnetwork: 'spark', podsRangeName: 'p', servicesRangeName: 's' },
      eventLogs: { encryption: 'google-managed' },
    });
    expect(zonal.filter((r) => r.type.startsWith('gcp:compute/'))).toEqual([]);
    expect(zonal.filter((r) => r.type.startsWith('gcp:kms/'))).toEqual([]);
    expect(one(zonal, 'gcp:container/cluster:Cluster')).toMatchObject({
      location: 'europe-west1-b',
      minMasterVersion: '1.33',
      releaseChannel: { channel: 'UNSPECIFIED' },
      ipAllocationPolicy: { clusterSecondaryRangeName: 'p', servicesSecondaryRangeName: 's' },
    });
    expect(one(zonal, 'gcp:storage/bucket:Bucket').location).toBe('EUROPE-WEST1');
  });

  it('names every wrong argument, its value and the expectation', () => {
    expect(() => validateGkeClusterArgs({ project: 'Acme', location: 'europe-west1' })).toThrow(
      'project: "Acme" is not a GCP project id',
    );
    expect(() => validateGkeClusterArgs({ ...ARGS, tags: undefined, location: 'mars' })).toThrow(
      'location: "mars" is not a GCP region or zone',
    );
    const { tags: _tags, ...args } = ARGS;
    expect(() => validateGkeClusterArgs({ ...args, kubernetesVersion: '1.33' })).toThrow(
      'kubernetesVersion: "1.33" is pinned while releaseChannel is "REGULAR"',
    );
    expect(() => validateGkeClusterArgs({ ...args, publicEndpoint: true, authorizedNetworks: [] })).toThrow(
      'authorizedNetworks: [] is empty',
    );
  });
});
