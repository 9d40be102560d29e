/** The platform on an adopted cluster (no cloud): what it creates from a ClusterHandle alone. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExistingCluster } from '../existing/existing-cluster';
import { runUnderMocks, valueOf } from '../testing/pulumi-mocks';
import { SparkPlatform } from './platform';
import { runtimeClustersFile } from './runtime-manifests';
import { sparkOperatorCrds } from './spark-operator-crds';
import { SPARK_OPERATOR_CHART_VERSION } from './versions';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function render(platform: Record<string, unknown>) {
  return runUnderMocks(() => {
    const cluster = new ExistingCluster('adopted', {
      kubeconfig: 'apiVersion: v1\nkind: Config',
      clusterName: 'analytics',
      objectStorageUrl: 'gs://analytics-events',
      autoscaler: 'gke',
      serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'spark@p.iam.gserviceaccount.com' },
    });
    const created = new SparkPlatform('sparkplane', {
      cluster: cluster.handle,
      runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0',
      ...platform,
    });
    return { cluster, created };
  });
}

const byKind = (resources: { inputs: Inputs }[], kind: string) =>
  resources.map((r) => r.inputs).filter((i) => i.kind === kind);

describe('SparkPlatform on an existing cluster', () => {
  it('creates namespaces, the operator, RBAC, the runtime, an in-cluster database and the history server', async () => {
    const { resources, result } = await render({});
    const kinds = resources
      .filter((r) => r.type.startsWith('kubernetes:') && r.custom)
      .map((r) => r.type.split(':').pop());
    expect(new Set(kinds)).toEqual(
      new Set([
        'Namespace',
        'Release',
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'Secret',
        'Service',
        'StatefulSet',
        'ConfigMap',
        'Deployment',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'CustomResourceDefinition',
        'ClusterRole',
        'ClusterRoleBinding',
      ]),
    );
    // the SparkJob CRD, the runtime's leave to follow SparkJobs and write their status, and to read nodes only
    const inputsOf = (kind: string) => resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => r.inputs);
    const crds = new Map(
      inputsOf('CustomResourceDefinition').map((crd) => [(crd.metadata as { name: string }).name, crd]),
    );
    expect([...crds.keys()].sort()).toEqual(
      [...sparkOperatorCrds().map((crd) => crd.metadata.name), 'sparkjobs.sparkplane.io'].sort(),
    );
    // spark-operator's CRDs are the platform's (upgraded with it), so Helm leaves its crds/ alone
    expect(inputsOf('Release')[0]!.skipCrds).toBe(true);
    for (const vendored of sparkOperatorCrds()) expect(crds.get(vendored.metadata.name)!.spec).toEqual(vendored.spec);
    const [nodes] = inputsOf('ClusterRole');
    expect(nodes!.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(inputsOf('ClusterRoleBinding')[0]!.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'sparkplane', namespace: 'sparkplane' },
    ]);
    const sparkJobRole = inputsOf('Role').find(
      (role) => (role.metadata as { name: string }).name === 'sparkplane-sparkjobs',
    );
    expect(sparkJobRole!.rules).toEqual([
      { apiGroups: ['sparkplane.io'], resources: ['sparkjobs'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['sparkplane.io'], resources: ['sparkjobs/status'], verbs: ['get', 'update', 'patch'] },
    ]);
    // every Kubernetes object is created through the adopted cluster's provider, under the component
    const provider = resources.find((r) => r.type === 'pulumi:providers:kubernetes')!;
    expect(provider.inputs.kubeconfig).toContain('kind: Config');
    const platform = resources.find((r) => r.type === 'sparkplane:platform:SparkPlatform')!;
    expect(
      resources.filter((r) => r.type.startsWith('kubernetes:core')).every((r) => r.parentUrn === platform.urn),
    ).toBe(true);
    // workload identity annotations reach the Spark and history service accounts
    const accounts = byKind(resources, 'ServiceAccount').filter((a) => a.metadata.name.startsWith('spark-'));
    expect(accounts.map((a) => a.metadata.annotations['iam.gke.io/gcp-service-account'])).toEqual(
      Array(3).fill('spark@p.iam.gserviceaccount.com'),
    );
    const history = byKind(resources, 'Deployment').find((d) => d.metadata.name === 'spark-history-server')!;
    const opts = history.spec.template.spec.containers[0].env[0].value as string;
    // exactly the directory the back-end's applications write to (runtime/domain/event-log-layout.ts)
    expect(opts.split(' ')).toContain('-Dspark.history.fs.logDirectory=gs://analytics-events/eventlogs');
    expect(opts).not.toContain('s3a');
    expect(await valueOf(result.created.runtimeUrl)).toBe('http://sparkplane.sparkplane.svc');
  });

  it('exposes the runtime through an Ingress when asked, and leaves out the history server when disabled', async () => {
    const { resources, result } = await render({
      ingress: { host: 'spark.example.com', className: 'nginx', tlsSecretName: 'tls' },
      historyServer: { enabled: false },
    });
    expect(byKind(resources, 'Ingress')[0]!.spec.tls).toEqual([{ hosts: ['spark.example.com'], secretName: 'tls' }]);
    expect(byKind(resources, 'Ingress')[0]!.metadata.annotations).toBeUndefined();
    expect(byKind(resources, 'Deployment').map((d) => d.metadata.name)).toEqual(['sparkplane']);
    expect(await valueOf(result.created.historyServerUrl)).toBeUndefined();
  });

  it('gives an ALB Ingress pod targets and the ACM certificate, and refuses a TLS secret it would ignore', async () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const { resources } = await render({ ingress: { host: 'spark.example.com', certificateArn } });
    const ingress = byKind(resources, 'Ingress')[0]!;
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/certificate-arn': certificateArn,
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
    });
    await expect(render({ ingress: { host: 'spark.example.com', tlsSecretName: 'tls' } })).rejects.toThrow(
      'ingress.tlsSecretName: "tls" is ignored by an ALB; expected certificateArn; ingress.certificateArn: is required with className "alb"',
    );
  });

  it("gives the runtime the history server's public address, and its RBAC the UI proxy's read-only rule", async () => {
    const { resources } = await render({ historyServer: { publicUrl: 'https://spark-history.acme.example' } });
    const config = byKind(resources, 'ConfigMap').find((c) => c.metadata.name === 'sparkplane-config')!;
    expect(config.data['clusters.yaml']).toContain('historyServerUrl: https://spark-history.acme.example');
    const role = byKind(resources, 'Role').find((r) => r.metadata.name === 'sparkplane')!;
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] });
    // what sessions (SparkConnect) and sql sessions (a Service per Thrift Server) need
    expect(role.rules).toContainEqual({
      apiGroups: ['sparkoperator.k8s.io'],
      resources: ['sparkconnects'],
      verbs: ['create', 'get', 'list', 'watch', 'delete'],
    });
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['services'], verbs: ['create', 'delete'] });
  });

  it('installs spark-operator from a chart vendored in the repository when mirrors.charts is a folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'charts-'));
    try {
      writeFileSync(join(folder, `spark-operator-${SPARK_OPERATOR_CHART_VERSION}.tgz`), '');
      const { resources } = await render({ mirrors: { charts: folder } });
      const release = resources.find((r) => r.type === 'kubernetes:helm.sh/v3:Release')!.inputs;
      expect(release.chart).toBe(join(folder, `spark-operator-${SPARK_OPERATOR_CHART_VERSION}.tgz`));
      expect(release.repositoryOpts).toBeUndefined();
      expect(release.version).toBe(SPARK_OPERATOR_CHART_VERSION);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the field, the value and the expectation on a bad argument', async () => {
    await expect(render({ runtimeImage: 'Not An Image' })).rejects.toThrow(
      'runtimeImage: "Not An Image" is not a container image reference',
    );
    await expect(render({ runtimeReplicas: 0 })).rejects.toThrow('runtimeReplicas: 0 is too small');
  });

  it('gives the runtime a kubernetes back-end for the cluster', () => {
    const yaml = runtimeClustersFile({
      clusterId: 'c',
      spark: { namespace: 'n', driverServiceAccount: 'd', executorServiceAccount: 'e' },
      autoscaler: 'none',
      operatorNamespace: 'ops',
    });
    expect(yaml).toContain('backend: kubernetes');
    // the probe reads spark-operator's Deployments where the platform installed it
    expect(yaml).toContain('operatorNamespace: ops');
    expect(yaml).toContain('autoscaler: karpenter');
    expect(yaml).not.toContain('eventLogBucketUrl');
    expect(yaml).not.toContain('historyServerUrl');
  });

  it("links ended applications to the history server's public address when it has one", () => {
    const yaml = runtimeClustersFile({
      clusterId: 'c',
      spark: { namespace: 'n', driverServiceAccount: 'd', executorServiceAccount: 'e' },
      autoscaler: 'none',
      operatorNamespace: 'spark-operator',
      historyServerUrl: 'https://spark-history.acme.example',
    });
    expect(yaml).toContain('historyServerUrl: https://spark-history.acme.example');
  });
});
