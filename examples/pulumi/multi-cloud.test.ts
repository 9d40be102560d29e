/** The platform team's example program renders under mocks through the library's public entry point. */
import { describe, expect, it } from 'vitest';
import { runUnderMocks, valueOf } from '../../components/testing/pulumi-mocks';
import { multiCloudProgram } from './multi-cloud';

describe('examples/pulumi: multi-cloud', () => {
  it('creates an EKS cluster through its own assumed-role provider and a GKE cluster, each with the platform', async () => {
    const { resources, result } = await runUnderMocks(() => multiCloudProgram('ghcr.io/acme/sparkplane:1.2.0'), {
      project: 'analytics-platform',
      stack: 'prod',
    });
    const eks = resources.filter((r) => r.type === 'aws:eks/cluster:Cluster');
    expect(eks.map((r) => r.inputs.name)).toEqual(['analytics-prod-euc1']);
    // the team's provider is used: the component creates none
    expect(resources.filter((r) => r.type === 'pulumi:providers:aws').map((r) => r.name)).toEqual(['analytics-eu']);
    expect(eks[0]!.provider).toContain('pulumi:providers:aws::analytics-eu');
    const gke = resources.filter((r) => r.type === 'gcp:container/cluster:Cluster');
    expect(gke.map((r) => r.inputs.releaseChannel)).toEqual([{ channel: 'STABLE' }]);
    const runtimes = resources.filter(
      (r) =>
        r.type === 'kubernetes:apps/v1:Deployment' &&
        (r.inputs as { metadata: { name: string } }).metadata.name === 'sparkplane',
    );
    expect(runtimes.map((r) => (r.inputs as { spec: { replicas: number } }).spec.replicas).sort()).toEqual([2, 3]);
    expect(await valueOf(result.gkeBucket)).toMatch(/^acme-analytics-prod-analytics-prod-euw4-events$/);
  });
});
