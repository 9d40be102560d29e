/** The AWS cluster component on an existing VPC, and its argument validation. */
import { describe, expect, it } from 'vitest';
import { runUnderMocks, valueOf } from '../testing/pulumi-mocks';
import { AwsCluster, validateAwsClusterArgs } from './cluster';

describe('AwsCluster', () => {
  it('uses the subnets of an existing VPC and creates no network', async () => {
    const subnets = ['subnet-0aaa', 'subnet-0bbb'];
    const { resources, result } = await runUnderMocks(
      () =>
        new AwsCluster('adopt-vpc', {
          region: 'us-east-1',
          network: { vpcId: 'vpc-0abc', privateSubnetIds: subnets },
          tags: { owner: 'me' },
        }),
    );
    expect(resources.filter((r) => r.type.startsWith('aws:ec2/')).map((r) => r.type)).toEqual([]);
    const cluster = resources.find((r) => r.type === 'aws:eks/cluster:Cluster')!.inputs as {
      vpcConfig: { subnetIds: string[]; endpointPublicAccess: boolean };
    };
    expect(cluster.vpcConfig).toMatchObject({ subnetIds: subnets, endpointPublicAccess: false });
    const nodeClass = resources.find((r) => r.type.endsWith(':EC2NodeClass'))!.inputs as {
      spec: { subnetSelectorTerms: unknown };
    };
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ id: 'subnet-0aaa' }, { id: 'subnet-0bbb' }]);
    // every child is parented to the component and (for AWS resources) created by its explicit provider
    const component = resources.find((r) => r.type === 'sparkplane:aws:Cluster')!;
    expect(resources.filter((r) => r !== component && !r.parentUrn)).toEqual([]);
    expect(resources.every((r) => r === component || r.parentUrn === component.urn)).toBe(true);
    expect(result.handle.autoscaler).toBe('karpenter');
    expect(await valueOf(result.handle.objectStorageUrl)).toMatch(/^s3a:\/\//);
  });

  it('names every wrong argument, its value and the expectation', () => {
    expect(() =>
      validateAwsClusterArgs({
        region: 'us-east-1',
        network: { vpcId: 'vpc-0abc', privateSubnetIds: ['subnet-0aaa'] },
      }),
    ).toThrow(/network: .* matches none of the accepted forms/);
    expect(() => validateAwsClusterArgs({ region: 'us-east-1', publicEndpoint: true })).toThrow(
      'publicAccessCidrs: [] is empty',
    );
    expect(() => validateAwsClusterArgs({ region: 'us-east-1', adminPrincipalArns: ['bob'] })).toThrow(
      'adminPrincipalArns[0]: "bob" is not an IAM role or user ARN',
    );
    expect(() => validateAwsClusterArgs({ region: 'us-east-1', systemNodes: { minSize: 5, maxSize: 2 } })).toThrow(
      'systemNodes.minSize: 5 is larger than maxSize 2',
    );
  });
});
