/** The platform team's program under mocks: the library's components, in the team's account and names. */
import { describe, expect, it } from 'vitest';
import { runUnderMocks, valueOf } from '../../components/testing/pulumi-mocks';
import { teamProgram } from './program';

describe("a platform team's program over the library", () => {
  it('creates the cluster through its own assume-role provider, under its own names', async () => {
    const { resources, result } = await runUnderMocks(() =>
      teamProgram({
        environment: 'prod',
        region: 'eu-central-1',
        deployRoleArn: 'arn:aws:iam::210987654321:role/deploy',
        runtimeImage: 'ghcr.io/acme/sparkplane:0.1.0',
      }),
    );
    const providers = resources.filter((r) => r.type === 'pulumi:providers:aws');
    expect(providers.map((p) => p.name)).toEqual(['analytics-prod-eu-central-1-account']);
    const awsResources = resources.filter((r) => r.custom && r.type.startsWith('aws:'));
    expect(awsResources.every((r) => r.provider?.startsWith(providers[0]!.urn))).toBe(true);
    expect(await valueOf(result.clusterName)).toBe('analytics-prod-eu-central-1');
    const sparkAccounts = resources
      .filter((r) => r.type === 'kubernetes:core/v1:ServiceAccount')
      .map((r) => r.inputs.metadata as { name: string; namespace: string })
      .filter((m) => m.namespace === 'analytics-jobs')
      .map((m) => m.name);
    expect(sparkAccounts.sort()).toEqual(['spark-driver', 'spark-executor']);
    expect(await valueOf(result.runtimeUrl)).toBe('http://sparkplane.sparkplane.svc');
  });
});
