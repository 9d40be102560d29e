/**
 * The GKE, existing-cluster and fleet stacks rendered under Pulumi mocks: what each creates, and
 * the control plane's files as the runtime's own schemas read them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubernetesClusterSettings } from '../runtime/adapters/k8s/cluster-settings';
import { ClusterSpec } from '../runtime/domain/cluster';
import { parsePriceTable } from '../runtime/metrics/cost';
import { type RecordedResource, valueOf } from '../components/testing/pulumi-mocks';
import { kubernetesResources, renderStack } from './render';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function ofType(resources: RecordedResource[], type: string): Inputs[] {
  return resources.filter((r) => r.type === type).map((r) => r.inputs as Inputs);
}
function objects(resources: RecordedResource[], kind: string): Inputs[] {
  return kubernetesResources(resources)
    .map((r) => r.inputs as Inputs)
    .filter((i) => i.kind === kind);
}

describe('stack gke-dev', () => {
  it('creates a GKE cluster and the platform set for GKE and GCS', async () => {
    const { resources, result } = await renderStack('gke-dev');
    expect(ofType(resources, 'gcp:container/cluster:Cluster')).toHaveLength(1);
    expect(ofType(resources, 'kubernetes:cloud.google.com/v1:ComputeClass')).toHaveLength(4);
    expect(resources.filter((r) => r.type.startsWith('aws:'))).toEqual([]);
    const configMap = objects(resources, 'ConfigMap').find((c) => c.metadata.name === 'sparkplane-config')!;
    const [cluster] = parse(configMap.data['clusters.yaml']) as unknown[];
    const settings = KubernetesClusterSettings.parse(ClusterSpec.parse(cluster).settings);
    expect(settings.autoscaler).toBe('gke');
    expect(settings.eventLogBucketUrl).toBe('gs://acme-analytics-dev-sparkplane-gke-dev-events');
    expect(await valueOf(result.kubeconfig)).toContain('gke-gcloud-auth-plugin');
  });
});

describe('stack existing-lab', () => {
  it('creates no cloud resource and installs the platform through the adopted kubeconfig', async () => {
    const { resources } = await renderStack('existing-lab');
    expect(resources.filter((r) => /^(aws|gcp):/.test(r.type))).toEqual([]);
    expect(objects(resources, 'Deployment').map((d) => d.metadata.name)).toContain('sparkplane');
  });
});

describe('stack fleet', () => {
  let resources: RecordedResource[];
  let clustersFile: unknown[];

  beforeAll(async () => {
    resources = (await renderStack('fleet')).resources;
    const configMap = objects(resources, 'ConfigMap').find(
      (c) => c.metadata.name === 'sparkplane-config' && c.data['clusters.yaml'].includes('context'),
    )!;
    clustersFile = parse(configMap.data['clusters.yaml']) as unknown[];
  });

  it('creates 12 clusters across three accounts (two AWS) on both clouds, each through its account provider', () => {
    expect(ofType(resources, 'aws:eks/cluster:Cluster')).toHaveLength(6);
    expect(ofType(resources, 'gcp:container/cluster:Cluster')).toHaveLength(6);
    const awsProviders = ofType(resources, 'pulumi:providers:aws');
    expect(awsProviders).toHaveLength(6);
    // provider inputs reach the engine JSON-encoded; prod has an AWS account of its own
    expect(
      awsProviders.map((p) => (JSON.parse(p.assumeRoles as string) as { roleArn: string }[])[0]!.roleArn).sort(),
    ).toEqual([
      ...Array(4).fill('arn:aws:iam::210987654321:role/sparkplane-deployer'),
      ...Array(2).fill('arn:aws:iam::345678901234:role/sparkplane-deployer'),
    ]);
    const gcpProviders = ofType(resources, 'pulumi:providers:gcp');
    expect(gcpProviders.map((p) => p.impersonateServiceAccount)).toEqual(
      Array(6).fill('deployer@acme-analytics.iam.gserviceaccount.com'),
    );
    expect(
      ofType(resources, 'aws:eks/cluster:Cluster')
        .map((c) => c.name)
        .sort(),
    ).toEqual([
      'awsdata-dev-euw1',
      'awsdata-dev-use1',
      'awsdata-staging-euw1',
      'awsdata-staging-use1',
      'awsprod-prod-euw1',
      'awsprod-prod-use1',
    ]);
  });

  it('runs one control plane that every cluster registers with, as the runtime reads it', () => {
    expect(clustersFile).toHaveLength(12);
    for (const raw of clustersFile) {
      const spec = ClusterSpec.parse(raw);
      const settings = KubernetesClusterSettings.parse(spec.settings);
      // the host is reached in-cluster, every other cluster through its own kubeconfig context
      expect(settings.context).toBe(spec.id === 'awsprod-prod-euw1' ? undefined : spec.id);
      expect(settings.autoscaler).toBe(spec.id.startsWith('gcp') ? 'gke' : 'karpenter');
      expect(settings.eventLogBucketUrl).toMatch(spec.id.startsWith('gcp') ? /^gs:\/\// : /^s3a:\/\//);
      expect(spec.region).toBeDefined();
    }
    const kubeconfig = parse(
      objects(resources, 'Secret').find((s) => s.metadata.name === 'sparkplane-kubeconfig')!.stringData.kubeconfig,
    ) as { contexts: { name: string }[] };
    expect(kubeconfig.contexts).toHaveLength(11);
    const prices = objects(resources, 'ConfigMap').find((c) => c.data?.['prices.yaml'])!.data['prices.yaml'];
    expect(
      parsePriceTable(parse(prices))
        .instances.map((i) => i.instanceType)
        .sort(),
    ).toEqual(['m7i.2xlarge', 'm7i.2xlarge', 'n2d-standard-8', 'n2d-standard-8']);
  });

  it('installs a runtime only where asked: the control plane and the clusters that keep their own', () => {
    const runtimes = objects(resources, 'Deployment').filter((d) => d.metadata.name === 'sparkplane');
    expect(runtimes).toHaveLength(3);
    expect(objects(resources, 'StatefulSet')).toHaveLength(3);
    expect(ofType(resources, 'kubernetes:helm.sh/v3:Release').filter((r) => r.name === 'spark-operator')).toHaveLength(
      12,
    );
  });
});
