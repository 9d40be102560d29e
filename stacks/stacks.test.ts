/**
 * Each stack rendered under Pulumi mocks (no cloud, no CLI): the resources it creates, the inputs
 * that matter, a snapshot of every Kubernetes manifest, and stable identities across innocuous changes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RecordedResource } from '../components/testing/pulumi-mocks';
import { valueOf } from '../components/testing/pulumi-mocks';
import { VENDORED_CHART_ANNOTATION } from '../components/platform/spark-operator-crds';
import { loadCrdValidator } from '../test/support/k8s-crd-validator';
import { readStackConfig } from './config';
import { engineConfig, kubernetesResources, renderStack, AWS_STACKS, stackFile } from './render';

const KARPENTER = new URL('../../shared/schemas/karpenter/', import.meta.url);
const validators = {
  EC2NodeClass: loadCrdValidator(new URL('karpenter.k8s.aws_ec2nodeclasses.yaml', KARPENTER).pathname, 'v1'),
  NodePool: loadCrdValidator(new URL('karpenter.sh_nodepools.yaml', KARPENTER).pathname, 'v1'),
};

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A CRD vendored from a chart shows as its source and digest: its schema is reviewed as the vendored file. */
function vendoredAsDigest(inputs: Inputs): Inputs {
  if (!inputs.metadata?.annotations?.[VENDORED_CHART_ANNOTATION]) return inputs;
  return { ...inputs, spec: { sha256: createHash('sha256').update(JSON.stringify(inputs.spec)).digest('hex') } };
}

function one(resources: RecordedResource[], type: string, name?: string): Inputs {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found.map((r) => r.name)).toHaveLength(1);
  return found[0]!.inputs as Inputs;
}

function all(resources: RecordedResource[], type: string): Inputs[] {
  return resources.filter((r) => r.type === type).map((r) => r.inputs as Inputs);
}

function countByType(resources: RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function kubernetesObjects(resources: RecordedResource[], kind: string): Inputs[] {
  return kubernetesResources(resources)
    .map((r) => r.inputs as Inputs)
    .filter((i) => i.kind === kind);
}

describe.each(AWS_STACKS)('stack %s', (stack) => {
  let resources: RecordedResource[];
  let outputs: Awaited<ReturnType<typeof renderStack>>['result'];
  const config = readStackConfig(engineConfig(readFileSync(stackFile(stack), 'utf8')));

  beforeAll(async () => {
    const run = await renderStack(stack);
    resources = run.resources;
    outputs = run.result;
  });

  it('creates the resources of a Spark cluster and its platform', () => {
    const counts = countByType(resources);
    expect(counts).toMatchSnapshot();
    expect(counts['aws:eks/cluster:Cluster']).toBe(1);
    expect(counts['aws:ec2/subnet:Subnet']).toBe(2 * (config.aws!.network as { zoneCount: number }).zoneCount);
    expect(counts['kubernetes:karpenter.sh/v1:NodePool']).toBe(3);
    expect(counts['aws:rds/instance:Instance'] ?? 0).toBe(config.aws!.database.kind === 'managed' ? 1 : 0);
    expect(counts['kubernetes:apps/v1:StatefulSet'] ?? 0).toBe(config.aws!.database.kind === 'managed' ? 0 : 1);
  });

  it('tags every taggable AWS resource with environment, owner and cost centre', () => {
    const taggable = resources.filter((r) => r.type.startsWith('aws:') && 'tags' in r.inputs);
    expect(taggable.length).toBeGreaterThan(20);
    for (const r of taggable) {
      expect(r.inputs.tags, `${r.type} ${r.name}`).toMatchObject({
        environment: stack,
        owner: 'data-platform',
        'sparkplane:stack': stack,
      });
    }
    expect(one(resources, 'pulumi:providers:aws').defaultTags).toBeDefined();
  });

  it('creates a private, KMS-encrypted EKS cluster with control-plane logs', () => {
    const cluster = one(resources, 'aws:eks/cluster:Cluster');
    expect(cluster.name).toBe(`sparkplane-${stack}`);
    expect(cluster.version).toBe('1.35');
    expect(cluster.vpcConfig.endpointPrivateAccess).toBe(true);
    expect(cluster.vpcConfig.endpointPublicAccess).toBe(stack === 'dev');
    if (stack === 'dev') expect(cluster.vpcConfig.publicAccessCidrs).toEqual(['203.0.113.0/24']);
    expect(cluster.encryptionConfig.resources).toEqual(['secrets']);
    expect(cluster.encryptionConfig.provider.keyArn).toMatch(/^arn:aws:kms:/);
    expect(cluster.enabledClusterLogTypes).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(cluster.accessConfig.authenticationMode).toBe('API');
    const admins = all(resources, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation');
    expect(admins.map((a) => a.principalArn)).toEqual(config.aws!.adminPrincipalArns);
    expect(all(resources, 'aws:kms/key:Key').every((k) => k.enableKeyRotation === true)).toBe(true);
  });

  it('scopes the Spark, runtime and History Server policies to the event-log bucket', () => {
    const policies = Object.fromEntries(
      all(resources, 'aws:iam/rolePolicy:RolePolicy').map((p) => [p.role, JSON.parse(p.policy)]),
    );
    const bucketArn = `arn:aws:s3:::sparkplane-${stack}-events`;
    const spark = policies[`sparkplane-${stack}-spark`];
    const s3Resources = spark.Statement.filter((s: Inputs) =>
      s.Action.some((a: string) => a.startsWith('s3:')),
    ).flatMap((s: Inputs) => [s.Resource].flat());
    expect(s3Resources.sort()).toEqual([bucketArn, `${bucketArn}/*`]);
    const history = policies[`sparkplane-${stack}-history`];
    expect(history.Statement.flatMap((s: Inputs) => s.Action)).not.toContain('s3:PutObject');
    const kms = config.aws!.eventLogs.encryption === 'aws:kms';
    expect(spark.Statement.some((s: Inputs) => s.Action.includes('kms:GenerateDataKey'))).toBe(kms);
    const associations = all(resources, 'aws:eks/podIdentityAssociation:PodIdentityAssociation');
    expect(associations.map((a) => `${a.namespace}/${a.serviceAccount}`).sort()).toEqual([
      ...(config.platform!.ingress ? ['kube-system/aws-load-balancer-controller'] : []),
      'kube-system/karpenter',
      'spark-apps/spark-driver',
      'spark-apps/spark-executor',
      'sparkplane/spark-history-server',
      // the runtime reads event logs for metrics, cost and tuning
      'sparkplane/sparkplane',
    ]);
    const runtime = policies[`sparkplane-${stack}-runtime`];
    expect(runtime).toEqual(history);
  });

  it('makes the bucket encrypted, versioned, private, TLS-only and bounded by lifecycle rules', () => {
    const encryption = one(
      resources,
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
    );
    expect(encryption.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe(config.aws!.eventLogs.encryption);
    expect(one(resources, 'aws:s3/bucketVersioning:BucketVersioning').versioningConfiguration.status).toBe('Enabled');
    expect(one(resources, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const rules = one(resources, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').rules;
    expect(rules.find((r: Inputs) => r.id === 'expire-event-logs').expiration.days).toBe(
      config.aws!.eventLogs.retentionDays,
    );
    expect(JSON.parse(one(resources, 'aws:s3/bucketPolicy:BucketPolicy').policy).Statement[0].Condition).toEqual({
      Bool: { 'aws:SecureTransport': 'false' },
    });
  });

  it('renders Karpenter objects that validate against the CRD schemas, with IMDSv2 and taints', () => {
    const nodeClasses = kubernetesObjects(resources, 'EC2NodeClass');
    const nodePools = kubernetesObjects(resources, 'NodePool');
    for (const object of [...nodeClasses, ...nodePools]) {
      expect(validators[object.kind as keyof typeof validators].errors(object), object.metadata.name).toEqual([]);
    }
    expect(nodeClasses[0]!.spec.metadataOptions.httpTokens).toBe('required');
    expect(nodeClasses[0]!.spec.instanceStorePolicy).toBe('RAID0');
    expect(nodeClasses[0]!.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true });
    const byName = Object.fromEntries(nodePools.map((p) => [p.metadata.name, p.spec]));
    const capacity = (name: string) =>
      byName[name].template.spec.requirements.find((r: Inputs) => r.key === 'karpenter.sh/capacity-type').values;
    expect(capacity('spark-driver')).toEqual(['on-demand']);
    expect(capacity('spark-executor')).toEqual(['spot', 'on-demand']);
    expect(byName['spark-driver'].disruption.consolidationPolicy).toBe('WhenEmpty');
    expect(byName['spark-executor'].disruption.consolidationPolicy).toBe('WhenEmptyOrUnderutilized');
    for (const pool of Object.values(byName) as Inputs[]) {
      expect(pool.template.spec.taints).toEqual([{ key: 'sparkplane.io/spark', value: 'true', effect: 'NoSchedule' }]);
      expect(pool.replicas).toBeUndefined(); // dynamic pools scale to zero
    }
  });

  it('installs Karpenter and spark-operator from pinned charts with the values that matter', () => {
    const releases = Object.fromEntries(all(resources, 'kubernetes:helm.sh/v3:Release').map((r) => [r.name, r]));
    expect(releases['karpenter-crd'].version).toBe('1.14.0');
    expect(releases.karpenter).toMatchObject({ version: '1.14.0', skipCrds: true, namespace: 'kube-system' });
    expect(releases.karpenter.values.settings).toEqual({
      clusterName: `sparkplane-${stack}`,
      interruptionQueue: `sparkplane-${stack}`,
    });
    expect(releases['spark-operator'].version).toMatch(/^2\.5\./);
    expect(releases['spark-operator'].values.spark.jobNamespaces).toEqual(['spark-apps']);
    expect(releases['spark-operator'].values.webhook.enable).toBe(true);
    expect(releases['spark-operator'].values.prometheus.metrics.enable).toBe(true);
  });

  it('runs the runtime with probes, resources, its config and secrets', () => {
    const deployment = kubernetesObjects(resources, 'Deployment').find((d) => d.metadata.name === 'sparkplane')!;
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(config.platform!.runtimeReplicas);
    expect(container.image).toBe(config.platform!.runtimeImage);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.limits.memory).toMatch(/Mi$/);
    const secret = kubernetesObjects(resources, 'Secret').find((s) => s.metadata.name === 'sparkplane-secrets')!;
    const databaseUrl = secret.stringData.SPARKPLANE_DATABASE_URL as string;
    expect(databaseUrl).toMatch(
      config.aws!.database.kind === 'managed'
        ? /rds\.amazonaws\.com:5432\/sparkplane\?sslmode=require$/
        : /sparkplane-postgres\.sparkplane\.svc:5432/,
    );
    expect(kubernetesObjects(resources, 'PodDisruptionBudget')).toHaveLength(1);
    expect(kubernetesObjects(resources, 'Ingress')).toHaveLength(config.platform!.ingress ? 1 : 0);
  });

  it('exports the kubeconfig as a secret and the endpoints a user needs', async () => {
    expect(await valueOf(outputs.clusterName)).toBe(`sparkplane-${stack}`);
    expect(JSON.parse(await valueOf(outputs.kubeconfig)).users[0].user.exec.args).toContain(`sparkplane-${stack}`);
    expect(await valueOf(outputs.eventLogBucketUrl)).toBe(`s3a://sparkplane-${stack}-events`);
    expect(await valueOf(outputs.historyServerUrl)).toBe('http://spark-history-server.sparkplane.svc:18080');
    expect(await valueOf(outputs.kubernetesApiEndpoint)).toMatch(/^https:\/\/.*eks\.amazonaws\.com$/);
  });

  it('renders the same Kubernetes manifests as the reviewed snapshot', async () => {
    const manifests = kubernetesResources(resources)
      .sort((a, b) => a.urn.localeCompare(b.urn))
      .map((r) =>
        stringify({ resource: `${r.type} ${r.name}`, ...vendoredAsDigest(r.inputs) }, { sortMapEntries: true }),
      );
    await expect(manifests.join('---\n')).toMatchFileSnapshot(`./__snapshots__/${stack}.manifests.yaml`);
  });
});

describe('stable identities', () => {
  /** Logical names (URNs) and the inputs whose change replaces the resource. */
  function identities(resources: RecordedResource[]) {
    const pick = (type: string, keys: string[]) =>
      resources
        .filter((r) => r.type === type)
        .map((r) => ({ urn: r.urn, ...Object.fromEntries(keys.map((k) => [k, r.inputs[k]])) }));
    return {
      urns: resources.map((r) => r.urn).sort(),
      cluster: pick('aws:eks/cluster:Cluster', ['name', 'encryptionConfig', 'accessConfig']),
      bucket: pick('aws:s3/bucket:Bucket', ['bucket', 'bucketPrefix']),
      nodePools: resources
        .filter((r) => r.type.startsWith('kubernetes:karpenter'))
        .map((r) => ({ urn: r.urn, metadata: r.inputs.metadata })),
      nodeGroup: pick('aws:eks/nodeGroup:NodeGroup', [
        'clusterName',
        'nodeGroupName',
        'subnetIds',
        'amiType',
        'capacityType',
      ]),
    };
  }

  it('keeps names and identity inputs when a tag and a pool limit change', async () => {
    const base = engineConfig(readFileSync(stackFile('staging'), 'utf8'));
    const changed = { ...base };
    const tags = JSON.parse(base['sparkplane:tags']!);
    const aws = JSON.parse(base['sparkplane:aws']!);
    changed['sparkplane:tags'] = JSON.stringify({ ...tags, owner: 'another-team', extra: { project: 'x' } });
    changed['sparkplane:aws'] = JSON.stringify({
      ...aws,
      karpenter: { ...aws.karpenter, executorLimits: { cpu: 999, memoryGiB: 3999 } },
    });
    const before = await renderStack('staging', base);
    const after = await renderStack('staging', changed);
    // the change did reach the resources...
    const limits = (run: typeof before) =>
      run.resources.find((r) => r.name.endsWith('spark-executor') && r.type.includes('NodePool'))!.inputs.spec;
    expect(limits(after)).not.toEqual(limits(before));
    // ...and nothing that names or identifies a resource moved
    expect(identities(after.resources)).toEqual(identities(before.resources));
  }, 120_000); // two renders of a stack: more than the default on a loaded two-core machine
});

describe('a stack on an existing cluster', () => {
  const config = {
    'sparkplane:cloud': 'existing',
    'sparkplane:tags': JSON.stringify({ environment: 'lab', owner: 'data-platform', costCenter: 'cc-1' }),
    'sparkplane:existing': JSON.stringify({
      clusterName: 'lab',
      objectStorageUrl: 's3a://lab-events',
      autoscaler: 'karpenter',
    }),
    'sparkplane:kubeconfig': 'apiVersion: v1\nkind: Config',
    'sparkplane:platform': JSON.stringify({ runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0' }),
  };

  it('creates no cloud resource and installs the platform through the adopted kubeconfig', async () => {
    const run = await renderStack('lab', config);
    expect(run.resources.filter((r) => r.type.startsWith('aws:'))).toEqual([]);
    expect(kubernetesResources(run.resources).length).toBeGreaterThan(20);
    expect(await valueOf(run.result.kubernetesApiEndpoint)).toBeUndefined();
    expect(await valueOf(run.result.kubeconfig)).toContain('kind: Config');
  });

  it('requires the kubeconfig', () => {
    const { ['sparkplane:kubeconfig']: _omitted, ...withoutKubeconfig } = config;
    expect(() => readStackConfig(withoutKubeconfig)).toThrow(
      'sparkplane:kubeconfig: is required when sparkplane:cloud is "existing"',
    );
  });
});

describe('stack config', () => {
  const base = engineConfig(readFileSync(stackFile('dev'), 'utf8'));

  it('names the config key, the value and the expectation on a wrong value', () => {
    const aws = JSON.parse(base['sparkplane:aws']!);
    const bad = {
      ...base,
      'sparkplane:aws': JSON.stringify({
        ...aws,
        karpenter: { executorLimits: { cpu: -1, memoryGiB: 10 } },
        region: 'mars',
      }),
    };
    expect(() => readStackConfig(bad)).toThrow(
      'sparkplane:aws.region: "mars" is not an AWS region such as "eu-west-1"',
    );
    expect(() => readStackConfig(bad)).toThrow('sparkplane:aws.karpenter.executorLimits.cpu: -1 is too small');
  });

  it('rejects unknown keys, a missing image and a consolidateAfter shorter than the executor idle timeout', () => {
    expect(() => readStackConfig({ ...base, 'sparkplane:regoin': 'x' })).toThrow(
      'sparkplane:regoin: unknown config key',
    );
    expect(() => readStackConfig({ ...base, 'sparkplane:platform': '{}' })).toThrow(
      'sparkplane:platform.runtimeImage: is required',
    );
    const aws = JSON.parse(base['sparkplane:aws']!);
    const early = {
      ...base,
      'sparkplane:aws': JSON.stringify({ ...aws, karpenter: { executorConsolidateAfter: '30s' } }),
    };
    expect(() => readStackConfig(early)).toThrow(
      'sparkplane:aws.karpenter.executorConsolidateAfter: "30s" is not longer than',
    );
  });

  it('refuses a public endpoint open to the internet', () => {
    const aws = JSON.parse(base['sparkplane:aws']!);
    const open = { ...base, 'sparkplane:aws': JSON.stringify({ ...aws, publicAccessCidrs: ['0.0.0.0/0'] }) };
    expect(() => readStackConfig(open)).toThrow(
      'sparkplane:aws.publicAccessCidrs: "0.0.0.0/0" opens the API to the internet',
    );
  });
});
