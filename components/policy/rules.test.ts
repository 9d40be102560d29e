/** Each rule with a compliant and a violating resource, called directly. */
import { describe, expect, it } from 'vitest';
import { StandardsConfig } from './config';
import {
  allowedRegions,
  boundedPools,
  type CheckedResource,
  encryptedAtRest,
  encryptedBuckets,
  noSpotDrivers,
  privateClusterEndpoint,
  requiredTags,
  resourceRequests,
  type Rule,
} from './rules';

const config = StandardsConfig.parse({});
const resource = (type: string, name: string, props: Record<string, unknown>): CheckedResource => ({
  type,
  name,
  urn: `urn:pulumi:test::p::${type}::${name}`,
  props,
});
const messages = (rule: Rule, ...resources: CheckedResource[]) => rule.check(resources, config).map((v) => v.message);

const nodePool = (capacity: string[], role?: string, limits?: object) =>
  resource('kubernetes:karpenter.sh/v1:NodePool', 'pool', {
    spec: {
      ...(limits ? { limits } : {}),
      template: {
        metadata: { labels: role ? { 'sparkplane.io/role': role } : {} },
        spec: { requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: capacity }] },
      },
    },
  });

describe('the standards', () => {
  it('allowed-regions', () => {
    expect(messages(allowedRegions, resource('pulumi:providers:aws', 'ok', { region: 'eu-west-1' }))).toEqual([]);
    expect(messages(allowedRegions, resource('pulumi:providers:aws', 'far', { region: 'ap-south-1' }))).toEqual([
      'pulumi:providers:aws far: region "ap-south-1" is outside the allowed regions ["eu-west-1","eu-central-1","us-east-1","us-west-2","europe-west1","europe-west4","us-central1","us-east1"]',
    ]);
  });

  it('required-tags', () => {
    const tags = { environment: 'prod', owner: 'data', 'cost-center': 'cc' };
    expect(messages(requiredTags, resource('aws:s3/bucket:Bucket', 'b', { tags }))).toEqual([]);
    expect(messages(requiredTags, resource('aws:s3/bucket:Bucket', 'b', { tags: { owner: 'data' } }))).toEqual([
      'aws:s3/bucket:Bucket b: lacks the required tags ["environment","cost-center"]',
    ]);
  });

  it('public-endpoint-allow-list', () => {
    const cluster = (vpcConfig: object) => resource('aws:eks/cluster:Cluster', 'c', { vpcConfig });
    expect(messages(privateClusterEndpoint, cluster({ endpointPublicAccess: false }))).toEqual([]);
    expect(
      messages(privateClusterEndpoint, cluster({ endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] })),
    ).toEqual([]);
    expect(messages(privateClusterEndpoint, cluster({ endpointPublicAccess: true }))).toEqual([
      'aws:eks/cluster:Cluster c: has a public endpoint without publicAccessCidrs (open to the internet)',
    ]);
    expect(
      messages(privateClusterEndpoint, cluster({ endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] })),
    ).toEqual(['aws:eks/cluster:Cluster c: has a public endpoint open to 0.0.0.0/0']);
  });

  it('encrypted-at-rest', () => {
    const secrets = { encryptionConfig: { resources: ['secrets'], provider: { keyArn: 'k' } } };
    expect(messages(encryptedAtRest, resource('aws:eks/cluster:Cluster', 'c', secrets))).toEqual([]);
    expect(messages(encryptedAtRest, resource('aws:eks/cluster:Cluster', 'c', {}))).toEqual([
      'aws:eks/cluster:Cluster c: does not encrypt Kubernetes secrets (encryptionConfig)',
    ]);
    expect(messages(encryptedAtRest, resource('aws:rds/instance:Instance', 'db', { storageEncrypted: false }))).toEqual(
      ['aws:rds/instance:Instance db: stores its data unencrypted (storageEncrypted)'],
    );
  });

  it('encrypted-buckets', () => {
    const bucket = resource('aws:s3/bucket:Bucket', 'events', { bucket: 'events-1' });
    const encryption = resource(
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      'events',
      { bucket: 'events-1', rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] },
    );
    expect(messages(encryptedBuckets, bucket, encryption)).toEqual([]);
    expect(messages(encryptedBuckets, bucket)).toEqual([
      'aws:s3/bucket:Bucket events: has no server-side encryption configuration',
    ]);
  });

  it('no-spot-drivers', () => {
    expect(messages(noSpotDrivers, nodePool(['on-demand'], 'driver'))).toEqual([]);
    expect(messages(noSpotDrivers, nodePool(['spot'], 'driver'))).toEqual([]); // opt-in: drivers select spot
    expect(messages(noSpotDrivers, nodePool(['spot', 'on-demand'], 'executor'))).toEqual([]);
    expect(messages(noSpotDrivers, nodePool(['spot', 'on-demand'], 'driver'))).toEqual([
      'kubernetes:karpenter.sh/v1:NodePool pool: lets Spark drivers run on spot (capacity types ["spot","on-demand"])',
    ]);
    expect(messages(noSpotDrivers, nodePool(['spot', 'on-demand']))).toEqual([
      'kubernetes:karpenter.sh/v1:NodePool pool: lets Spark drivers run on spot (capacity types ["spot","on-demand"], any role)',
    ]);
  });

  it('bounded-autoscaler-pools', () => {
    expect(messages(boundedPools, nodePool(['spot'], 'executor', { cpu: '100', memory: '400Gi' }))).toEqual([]);
    expect(messages(boundedPools, nodePool(['spot'], 'executor'))).toEqual([
      'kubernetes:karpenter.sh/v1:NodePool pool: has no cpu and memory limits',
    ]);
    expect(messages(boundedPools, resource('aws:eks/nodeGroup:NodeGroup', 'system', { scalingConfig: {} }))).toEqual([
      'aws:eks/nodeGroup:NodeGroup system: has no scalingConfig.maxSize',
    ]);
  });

  it('resource-requests', () => {
    const deployment = (resources: object) =>
      resource('kubernetes:apps/v1:Deployment', 'api', {
        spec: { template: { spec: { containers: [{ name: 'api', resources }] } } },
      });
    expect(messages(resourceRequests, deployment({ requests: { cpu: '100m', memory: '128Mi' } }))).toEqual([]);
    expect(messages(resourceRequests, deployment({ limits: { memory: '1Gi' } }))).toEqual([
      'kubernetes:apps/v1:Deployment api: containers ["api"] request no cpu or memory',
    ]);
  });
});
