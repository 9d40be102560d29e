/** The components as a library: the package export, peer dependencies, names and providers from arguments. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aws from '@pulumi/aws';
import { describe, expect, it } from 'vitest';
import * as library from 'sparkplane/components';
import { runUnderMocks, valueOf } from './testing/pulumi-mocks';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the component library', () => {
  it('is exported as sparkplane/components with types, over @pulumi/* peer dependencies', () => {
    expect(pkg.exports['./components']).toEqual({
      types: './components/index.ts',
      default: './components/index.ts',
    });
    expect(Object.keys(library)).toEqual(
      expect.arrayContaining(['AwsCluster', 'ExistingCluster', 'SparkPlatform', 'SparkIdentityArgs']),
    );
    const pulumiPackages = Object.keys(pkg.devDependencies).filter((name) => name.startsWith('@pulumi/'));
    for (const name of pulumiPackages.filter((n) => n !== '@pulumi/eslint-plugin')) {
      // the program's own @pulumi/* are used (two copies of @pulumi/pulumi break resource registration)
      expect(pkg.peerDependencies[name], name).toBe(`^${pkg.devDependencies[name]}`);
      expect(pkg.dependencies[name], name).toBeUndefined();
    }
  });

  it('reads no stack or project name inside a component: names come from arguments', () => {
    const offenders = sources(join(root, 'components')).filter((file) =>
      /getStack\(|getProject\(/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('creates every AWS resource with the provider it is given, and names from its arguments', async () => {
    const { resources, result } = await runUnderMocks(() => {
      const provider = new aws.Provider('team-account', { region: 'eu-central-1' });
      return new library.AwsCluster(
        'c1',
        {
          clusterName: 'spark-prod-eu-central-1',
          region: 'eu-central-1',
          network: { vpcId: 'vpc-0abc', privateSubnetIds: ['subnet-0aaa', 'subnet-0bbb'] },
          eventLogs: { bucketPrefix: 'acme-spark-events-' },
          spark: { namespace: 'jobs', systemNamespace: 'spark-system', runtimeServiceAccount: 'runtime' },
          provider,
        },
        {},
      );
    });
    const providers = resources.filter((r) => r.type === 'pulumi:providers:aws');
    expect(providers.map((p) => p.name)).toEqual(['team-account']);
    const awsResources = resources.filter((r) => r.custom && r.type.startsWith('aws:'));
    expect(awsResources.length).toBeGreaterThan(10);
    expect(awsResources.filter((r) => !r.provider?.startsWith(providers[0]!.urn)).map((r) => r.name)).toEqual([]);
    expect(resources.find((r) => r.type === 'aws:eks/cluster:Cluster')!.inputs.name).toBe('spark-prod-eu-central-1');
    expect(resources.find((r) => r.type === 'aws:s3/bucket:Bucket')!.inputs.bucketPrefix).toBe('acme-spark-events-');
    expect(result.handle.spark).toMatchObject({
      namespace: 'jobs',
      systemNamespace: 'spark-system',
      historyNamespace: 'spark-system',
      runtimeServiceAccount: 'runtime',
    });
    expect(await valueOf(result.handle.clusterName)).toBe('spark-prod-eu-central-1');
  });

  it('creates a provider for the region that assumes the role of another account', async () => {
    const { resources } = await runUnderMocks(
      () =>
        new library.AwsCluster('c2', {
          region: 'us-west-2',
          assumeRole: { roleArn: 'arn:aws:iam::210987654321:role/deploy', externalId: 'acme' },
          network: { vpcId: 'vpc-0abc', privateSubnetIds: ['subnet-0aaa', 'subnet-0bbb'] },
          tags: { owner: 'data-platform' },
        }),
    );
    const provider = resources.find((r) => r.type === 'pulumi:providers:aws')!;
    expect(provider.inputs).toMatchObject({ region: 'us-west-2' });
    const assumeRoles = provider.inputs.assumeRoles;
    expect(typeof assumeRoles === 'string' ? JSON.parse(assumeRoles) : assumeRoles).toEqual([
      { roleArn: 'arn:aws:iam::210987654321:role/deploy', sessionName: 'sparkplane', externalId: 'acme' },
    ]);
    expect(() => library.validateAwsClusterArgs({ region: 'us-west-2', assumeRole: { roleArn: 'deploy' } })).toThrow(
      'assumeRole.roleArn: "deploy" is not an IAM role or user ARN',
    );
  });

  it('installs the platform in the namespaces and under the service accounts the handle names', async () => {
    const { resources } = await runUnderMocks(() => {
      const cluster = new library.ExistingCluster('adopted', {
        kubeconfig: 'apiVersion: v1\nkind: Config',
        clusterName: 'lab',
        objectStorageUrl: 's3a://lab-events',
        spark: { namespace: 'jobs', systemNamespace: 'spark-system', runtimeServiceAccount: 'runtime' },
      });
      return new library.SparkPlatform('platform', {
        cluster: cluster.handle,
        runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0',
        operatorNamespace: 'operators',
      });
    });
    const objects = resources.map(
      (r) => r.inputs as { kind?: string; metadata?: { name: string; namespace?: string } },
    );
    const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata!.name);
    expect(namespaces.sort()).toEqual(['jobs', 'operators', 'spark-system']);
    const runtime = resources.find(
      (r) =>
        r.type === 'kubernetes:apps/v1:Deployment' && (r.inputs.metadata as { name: string }).name === 'sparkplane',
    )!.inputs as { metadata: { namespace: string }; spec: { template: { spec: { serviceAccountName: string } } } };
    expect(runtime.metadata.namespace).toBe('spark-system');
    expect(runtime.spec.template.spec.serviceAccountName).toBe('runtime');
    const release = resources.find((r) => r.type === 'kubernetes:helm.sh/v3:Release')!.inputs;
    expect(release.namespace).toBe('operators');
  });
});
