/**
 * What must agree across the parts of a rendered stack, checked over every stack (under mocks):
 * each workload that reads or writes the event-log bucket has an identity granting exactly that;
 * the History Server lists the directory the back-end's applications write to; every Ingress has
 * an installed controller and the annotations it needs; every scrape annotation names a path the
 * runtime serves without credentials, and every ServiceMonitor a served path with the token the
 * runtime registers; every Kubernetes object validates against the API schema (kubernetes-models) and
 * every custom resource against its CRD.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as models from 'kubernetes-models';
import { parse } from 'yaml';
import type { RecordedResource } from '../components/testing/pulumi-mocks';
import { HISTORY_SERVER_IMAGE } from '../components/platform/versions';
import { PrometheusTelemetry } from '../runtime/adapters/prometheus/prometheus-telemetry';
import { KubernetesClusterSettings } from '../runtime/adapters/k8s/cluster-settings';
import { renderSparkApplication } from '../runtime/adapters/k8s/render';
import { sparkJobCrd } from '../components/jobs/spark-job-crd';
import { crossAccountReaders, expandFleet } from '../components/fleet/fleet';
import { crdValidatorOf, loadCrdValidator } from '../test/support/k8s-crd-validator';
import { MemoryStore } from '../test/support/memory-store';
import { makeTestCertificates } from '../test/support/test-ca';
import { httpFixture } from '../test/integration/http-fixture';
import { engineConfig, kubernetesResources, renderStack, STACKS, stackFile } from './render';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXISTING = {
  'sparkplane:cloud': 'existing',
  'sparkplane:tags': JSON.stringify({ environment: 'lab', owner: 'data-platform', costCenter: 'cc-1' }),
  'sparkplane:existing': JSON.stringify({ clusterName: 'lab', objectStorageUrl: 's3a://lab-events' }),
  'sparkplane:kubeconfig': 'apiVersion: v1\nkind: Config',
};

/** Every stack of the repository, one on an adopted cluster, and one serving api.spotinst.io through nginx. */
const CONFIGS: Record<string, Record<string, string>> = {
  ...Object.fromEntries(STACKS.map((stack) => [stack, engineConfig(readFileSync(stackFile(stack), 'utf8'))])),
  existing: { ...EXISTING, 'sparkplane:platform': JSON.stringify({ runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0' }) },
  'existing-ocean-hostname': {
    ...EXISTING,
    'sparkplane:platform': JSON.stringify({
      runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0',
      oceanHostname: {
        issuer: { name: 'cluster-ca' },
        caCertificate: makeTestCertificates(mkdtempSync(join(tmpdir(), 'consistency-ca-'))).ca,
        ingressClassName: 'nginx',
        controllerService: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' },
        dns: 'coredns-custom',
        airflowNamespaces: ['airflow'],
      },
    }),
  },
};

const KARPENTER = new URL('../../shared/schemas/karpenter/', import.meta.url);
const CRDS: Record<string, ReturnType<typeof loadCrdValidator>> = {
  'karpenter.k8s.aws/v1/EC2NodeClass': loadCrdValidator(
    new URL('karpenter.k8s.aws_ec2nodeclasses.yaml', KARPENTER).pathname,
    'v1',
  ),
  'karpenter.sh/v1/NodePool': loadCrdValidator(new URL('karpenter.sh_nodepools.yaml', KARPENTER).pathname, 'v1'),
  'cloud.google.com/v1/ComputeClass': loadCrdValidator(
    new URL('../test/schemas/gke/cloud.google.com_computeclasses.yaml', import.meta.url).pathname,
    'v1',
  ),
  'sparkplane.io/v1alpha1/SparkJob': crdValidatorOf(sparkJobCrd(), 'v1alpha1'),
  'cert-manager.io/v1/Certificate': loadCrdValidator(
    new URL('../test/schemas/cert-manager/cert-manager.io_certificates.yaml', import.meta.url).pathname,
    'v1',
  ),
  'monitoring.coreos.com/v1/ServiceMonitor': loadCrdValidator(
    new URL('../test/schemas/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml', import.meta.url).pathname,
    'v1',
  ),
};

/** The kubernetes-models class of "apiVersion/kind" (its modules are named "networkingK8sIo", "v1"...). */
type ModelClass = new (data: Inputs) => { validate(): void };
type Modules = Record<string, Record<string, ModelClass | Record<string, ModelClass>>>;
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const all = models as unknown as Modules;
  if (!apiVersion.includes('/')) return all[apiVersion]?.[kind] as ModelClass | undefined;
  const [group, version] = apiVersion.split('/') as [string, string];
  const module = group
    .split('.')
    .map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('');
  return (all[module]?.[version] as Record<string, ModelClass> | undefined)?.[kind];
}

const objects = (resources: RecordedResource[]) =>
  kubernetesResources(resources)
    .filter((r) => !r.type.startsWith('kubernetes:helm.sh/'))
    .map((r) => r.inputs as Inputs);
const releases = (resources: RecordedResource[]) =>
  kubernetesResources(resources)
    .filter((r) => r.type.startsWith('kubernetes:helm.sh/'))
    .map((r) => r.inputs as Inputs);
const named = (resources: RecordedResource[], kind: string, name: string) =>
  objects(resources).find((o) => o.kind === kind && o.metadata.name === name)!;

function runtimeSettings(resources: RecordedResource[]): { id: string; settings: KubernetesClusterSettings } {
  const config = named(resources, 'ConfigMap', 'sparkplane-config');
  const [cluster] = parse(config.data['clusters.yaml'] as string) as { id: string; settings: unknown }[];
  return { id: cluster!.id, settings: KubernetesClusterSettings.parse(cluster!.settings) };
}

const rendered: Record<string, RecordedResource[]> = {};
beforeAll(async () => {
  for (const [name, config] of Object.entries(CONFIGS)) rendered[name] = (await renderStack(name, config)).resources;
});

// one runtime, History Server and bucket per stack; a fleet's clusters are built by the same components
describe.each(Object.keys(CONFIGS).filter((stack) => stack !== 'fleet'))(
  'stack %s is consistent (its one cluster)',
  (stack) => {
    it('lists in the History Server exactly the directory where the back-end writes event logs', () => {
      const resources = rendered[stack]!;
      const { id, settings } = runtimeSettings(resources);
      const app = renderSparkApplication(
        { mainApplicationFile: 's3a://code/etl.py' },
        { appId: 'etl-1', jobId: 'etl', clusterId: id, settings },
      );
      const written = app.spec.sparkConf?.['spark.eventLog.dir'];
      expect(written).toBeDefined();
      const history = named(resources, 'Deployment', 'spark-history-server');
      const options = (history.spec.template.spec.containers[0].env as { name: string; value: string }[]).find(
        (e) => e.name === 'SPARK_HISTORY_OPTS',
      )!.value;
      expect(options.split(' ')).toContain(`-Dspark.history.fs.logDirectory=${written}`);
      // the bucket's lifecycle rule expires what is written there
      const lifecycle = resources.find((r) => r.type.endsWith(':BucketLifecycleConfiguration'));
      if (lifecycle) {
        const prefixes = (lifecycle.inputs.rules as Inputs[]).map((r) => r.filter?.prefix).filter(Boolean);
        expect(prefixes.some((prefix: string) => `${written}/`.endsWith(`/${prefix}`))).toBe(true);
      }
    });

    it('gives every workload on the event-log bucket an identity granting exactly its access', () => {
      const resources = rendered[stack]!;
      const bucket = resources.find((r) => r.type === 'aws:s3/bucket:Bucket');
      if (!bucket) {
        // an adopted cluster: its identities are its own, the platform creates none
        expect(resources.filter((r) => r.type.startsWith('aws:'))).toEqual([]);
        return;
      }
      const bucketArn = `arn:aws:s3:::${String(bucket.inputs.bucket ?? bucket.name)}`;
      const { settings } = runtimeSettings(resources);
      const runtime = named(resources, 'Deployment', 'sparkplane');
      const history = named(resources, 'Deployment', 'spark-history-server');
      const workloads = [
        {
          who: 'runtime',
          namespace: runtime.metadata.namespace,
          account: runtime.spec.template.spec.serviceAccountName,
          writes: false,
        },
        {
          who: 'history',
          namespace: history.metadata.namespace,
          account: history.spec.template.spec.serviceAccountName,
          writes: false,
        },
        { who: 'driver', namespace: settings.namespace, account: settings.serviceAccount, writes: true },
        {
          who: 'executor',
          namespace: settings.namespace,
          account: settings.executorServiceAccount ?? settings.serviceAccount,
          writes: true,
        },
      ];
      const associations = resources.filter((r) => r.type === 'aws:eks/podIdentityAssociation:PodIdentityAssociation');
      const policies = resources.filter((r) => r.type === 'aws:iam/rolePolicy:RolePolicy');
      for (const workload of workloads) {
        const association = associations.find(
          (a) => a.inputs.namespace === workload.namespace && a.inputs.serviceAccount === workload.account,
        );
        expect(
          association,
          `${workload.who}: ${workload.namespace}/${workload.account} has no Pod Identity`,
        ).toBeDefined();
        const roleName = String(association!.inputs.roleArn).split('/').pop();
        const statements = policies
          .filter((p) => p.inputs.role === roleName)
          .flatMap((p) => JSON.parse(p.inputs.policy as string).Statement as Inputs[]);
        const s3 = statements.filter((s) => (s.Action as string[]).some((a) => a.startsWith('s3:')));
        expect([...new Set(s3.flatMap((s) => [s.Resource].flat()))].sort(), workload.who).toEqual(
          [bucketArn, `${bucketArn}/*`].sort(),
        );
        const actions = s3.flatMap((s) => s.Action as string[]);
        expect(actions, workload.who).toContain('s3:GetObject');
        expect(actions.includes('s3:PutObject'), `${workload.who} writes`).toBe(workload.writes);
      }
    });
  },
);

describe.each(Object.keys(CONFIGS))('stack %s is consistent', (stack) => {
  it('serves every Ingress by an installed controller, with the annotations or the certificate it needs', () => {
    const resources = rendered[stack]!;
    for (const ingress of objects(resources).filter((o) => o.kind === 'Ingress')) {
      const namespace = ingress.metadata.namespace as string;
      // every backend is a Service of the Ingress's namespace, on a port it names
      for (const path of (ingress.spec.rules as Inputs[]).flatMap((rule) => rule.http.paths as Inputs[])) {
        const service = objects(resources).find(
          (o) =>
            o.kind === 'Service' && o.metadata.namespace === namespace && o.metadata.name === path.backend.service.name,
        );
        expect(service, `${ingress.metadata.name}: ${path.backend.service.name}`).toBeDefined();
        expect((service!.spec.ports as Inputs[]).map((p) => p.name)).toContain(path.backend.service.port.name);
      }
      if (ingress.spec.ingressClassName !== 'alb') {
        // an in-cluster controller (the oceanHostname route): TLS from a cert-manager Certificate of its hosts
        expect(stack, 'only an adopted cluster has controllers of its own').toMatch(/^existing/);
        for (const tls of ingress.spec.tls as Inputs[]) {
          const certificate = objects(resources).find(
            (o) =>
              o.kind === 'Certificate' && o.metadata.namespace === namespace && o.spec.secretName === tls.secretName,
          );
          expect(certificate?.spec.dnsNames, `${ingress.metadata.name}: ${tls.secretName}`).toEqual(tls.hosts);
        }
        continue;
      }
      expect(releases(resources).map((r) => r.chart)).toContain('aws-load-balancer-controller');
      // the runtime's Service is ClusterIP: an ALB reaches it only through pod targets
      expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/target-type']).toBe('ip');
      expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/certificate-arn']).toMatch(/^arn:aws:acm:/);
      expect(ingress.spec.tls).toBeUndefined();
    }
  });

  it('resolves api.spotinst.io, where it is served, to the controller whose Ingress serves it', () => {
    const resources = rendered[stack]!;
    const served = objects(resources).filter(
      (o) => o.kind === 'Ingress' && (o.spec.rules as Inputs[]).some((rule) => rule.host === 'api.spotinst.io'),
    );
    const rules = objects(resources)
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'kube-system')
      .flatMap((o) => Object.values(o.data as Record<string, string>))
      .flatMap((text) => [...text.matchAll(/rewrite name exact api\.spotinst\.io (\S+)/g)].map((m) => m[1]));
    expect(rules.length).toBe(served.length);
    const { oceanHostname } = JSON.parse(CONFIGS[stack]!['sparkplane:platform'] ?? '{}') as Inputs;
    for (const target of rules) {
      const { name, namespace } = oceanHostname.controllerService;
      expect(target).toBe(`${name}.${namespace}.svc.cluster.local`);
      expect(served.map((ingress) => ingress.spec.ingressClassName)).toEqual([oceanHostname.ingressClassName]);
    }
  });

  it('scrapes only served paths, each with the credentials it needs', async () => {
    const all = objects(rendered[stack]!);
    const annotated = all.filter((o) => o.metadata.annotations?.['prometheus.io/path']);
    const monitors = all.filter((o) => o.kind === 'ServiceMonitor');
    const fixture = await httpFixture({ telemetry: new PrometheusTelemetry(new MemoryStore()) });
    try {
      // a bare scrape annotation sends no credentials: its path must answer without any
      for (const object of annotated) {
        const url = object.metadata.annotations['prometheus.io/path'];
        const response = await fixture.server.inject({ method: 'GET', url });
        expect(response.statusCode, `${object.kind} ${object.metadata.name} ${url}`).toBe(200);
      }
      for (const monitor of monitors) {
        const namespace = monitor.metadata.namespace as string;
        const inNamespace = all.filter((o) => o.metadata.namespace === namespace);
        const matches = (labels: Record<string, string> | undefined, selector: Record<string, string>) =>
          Object.entries(selector).every(([key, value]) => labels?.[key] === value);
        const [service, ...more] = inNamespace.filter(
          (o) => o.kind === 'Service' && matches(o.metadata.labels, monitor.spec.selector.matchLabels),
        );
        expect(service, `ServiceMonitor ${monitor.metadata.name} selects no Service`).toBeDefined();
        expect(more).toEqual([]);
        const workload = inNamespace.find(
          (o) => o.kind === 'Deployment' && matches(o.spec.template.metadata.labels, service!.spec.selector),
        )!;
        const container = workload.spec.template.spec.containers[0];
        for (const endpoint of monitor.spec.endpoints as Inputs[]) {
          // the named Service port leads to a port the container listens on
          const port = (service!.spec.ports as Inputs[]).find((p) => p.name === endpoint.port);
          expect(port, `Service port ${endpoint.port}`).toBeDefined();
          expect((container.ports as Inputs[]).map((p) => p.name)).toContain(port!.targetPort);
          // the credentials are in the monitor's namespace and are the token the runtime registers
          const { name, key } = endpoint.authorization.credentials;
          const secret = inNamespace.find((o) => o.kind === 'Secret' && o.metadata.name === name);
          expect(secret?.stringData?.[key], `Secret ${namespace}/${name} key ${key}`).toBeDefined();
          expect(container.env).toContainEqual({
            name: 'SPARKPLANE_METRICS_TOKEN',
            valueFrom: { secretKeyRef: { name, key } },
          });
          await fixture.tokens.ensureMetricsToken(secret!.stringData[key]);
          const headers = { authorization: `Bearer ${secret!.stringData[key]}` };
          const scraped = await fixture.server.inject({ method: 'GET', url: endpoint.path, headers });
          expect(scraped.statusCode, endpoint.path).toBe(200);
          expect(scraped.body).toContain('# TYPE sparkplane_');
          // and it opens nothing else
          const other = await fixture.server.inject({ method: 'GET', url: '/api/v1/applications', headers });
          expect(other.statusCode).toBe(403);
        }
      }
    } finally {
      await fixture.server.close();
    }
  });

  it("lets each runtime read nodes (and nothing else cluster-wide) and follow its namespace's SparkJobs", () => {
    const all = objects(rendered[stack]!);
    const runtimes = all.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'sparkplane');
    expect(runtimes.length).toBeGreaterThan(0);
    expect(
      all.some((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'sparkjobs.sparkplane.io'),
    ).toBe(true);
    for (const runtime of runtimes) {
      const namespace = runtime.metadata.namespace as string;
      const account = runtime.spec.template.spec.serviceAccountName as string;
      const isRuntime = (subject: Inputs) => subject.name === account && subject.namespace === namespace;
      const clusterRoles = all
        .filter((o) => o.kind === 'ClusterRoleBinding' && (o.subjects as Inputs[]).some(isRuntime))
        .map((binding) => named(rendered[stack]!, 'ClusterRole', binding.roleRef.name as string));
      // a fleet's runtimes share names across clusters: the rules, each once
      const clusterRules = new Set(
        clusterRoles.flatMap((role) => (role.rules as unknown[]).map((r) => JSON.stringify(r))),
      );
      expect([...clusterRules].map((rule) => JSON.parse(rule) as unknown)).toEqual([
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      ]);
      const env = runtime.spec.template.spec.containers[0].env as { name: string; value: string }[];
      expect(env).toContainEqual({ name: 'SPARKPLANE_SPARKJOB_NAMESPACE', value: namespace });
      const roles = all
        .filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === namespace)
        .filter((binding) => (binding.subjects as Inputs[]).some(isRuntime))
        .map((binding) => all.find((o) => o.kind === 'Role' && o.metadata.name === binding.roleRef.name)!);
      const sparkJobRules = roles
        .flatMap((role) => role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[])
        .filter((rule) => rule.apiGroups.includes('sparkplane.io'));
      expect([...new Set(sparkJobRules.flatMap((rule) => rule.resources))].sort()).toEqual([
        'sparkjobs',
        'sparkjobs/status',
      ]);
      // the spec is the platform team's: the runtime never writes it
      expect(sparkJobRules.find((rule) => rule.resources.includes('sparkjobs'))!.verbs).toEqual([
        'get',
        'list',
        'watch',
      ]);
    }
  });

  it('renders every Kubernetes object valid against the API schema, and every custom resource against its CRD', () => {
    const unchecked: string[] = [];
    for (const object of objects(rendered[stack]!)) {
      const key = `${object.apiVersion}/${object.kind}`;
      const crd = CRDS[key];
      if (crd) {
        expect(crd.errors(object), `${key} ${object.metadata.name}`).toEqual([]);
        continue;
      }
      const Model = modelOf(object.apiVersion, object.kind);
      if (!Model) {
        unchecked.push(key);
        continue;
      }
      expect(() => new Model(object).validate(), `${key} ${object.metadata.name}`).not.toThrow();
    }
    expect(unchecked).toEqual([]);
  });
});

describe('stack fleet: the control plane is let into every cluster as the identity its runtime holds', () => {
  const fleet = expandFleet(JSON.parse(CONFIGS.fleet!['sparkplane:fleet']!));
  const host = fleet.controlPlane.cluster;
  const others = (cloud: 'aws' | 'gcp') =>
    fleet.members.filter((m) => m.cluster.cloud === cloud && m.name !== host).map((m) => m.name);
  const ofType = (type: string) => rendered.fleet!.filter((r) => r.type === type);
  // objects applied through a cluster's own Kubernetes provider
  const inCluster = (cluster: string) =>
    kubernetesResources(rendered.fleet!)
      .filter((r) => r.provider?.includes(`::${cluster}-k8s::`))
      .map((r) => r.inputs as Inputs);
  const rulesBoundTo = (objects: Inputs[], isSubject: (subject: Inputs) => boolean) =>
    new Set(
      objects
        .filter((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.subjects.some(isSubject))
        .flatMap((binding) => {
          const kind = binding.kind === 'RoleBinding' ? 'Role' : 'ClusterRole';
          const role = objects.find(
            (o) =>
              o.kind === kind &&
              o.metadata.name === binding.roleRef.name &&
              o.metadata.namespace === binding.metadata.namespace,
          )!;
          return (role.rules as Inputs[]).map((rule) => `${role.metadata.namespace ?? '*'} ${JSON.stringify(rule)}`);
        }),
    );
  it('on EKS: an access entry for the host runtime role, RBAC with its own rights, and its bucket', () => {
    // the host's runtime: its Pod Identity role is who the control plane is on AWS
    const association = ofType('aws:eks/podIdentityAssociation:PodIdentityAssociation').find(
      (r) => r.name === `${host}-sparkplane`,
    )!;
    const hostRoleArn = String(association.inputs.roleArn);
    expect(fleet.members.find((m) => m.name === host)!.cluster.cloud).toBe('aws');
    const entries = ofType('aws:eks/accessEntry:AccessEntry').filter((r) => r.inputs.principalArn === hostRoleArn);
    expect(entries.map((e) => e.inputs.clusterName).sort()).toEqual(others('aws').sort());
    const hostRules = rulesBoundTo(
      inCluster(host),
      (s) => s.kind === 'ServiceAccount' && s.name === 'sparkplane' && s.namespace === 'sparkplane',
    );
    const policies = ofType('aws:iam/rolePolicy:RolePolicy').filter(
      (p) => p.inputs.role === hostRoleArn.split('/').pop(),
    );
    for (const entry of entries) {
      const cluster = String(entry.inputs.clusterName);
      const groups = entry.inputs.kubernetesGroups as string[];
      expect(groups, cluster).toHaveLength(1);
      const granted = rulesBoundTo(inCluster(cluster), (s) => s.kind === 'Group' && s.name === groups[0]);
      // the runtime's rights on its own cluster, but following SparkJobs (only the host's are read)
      const expected = [...hostRules].filter((rule) => !rule.includes('sparkplane.io'));
      expect([...granted].sort(), cluster).toEqual(expected.sort());
      const bucket = ofType('aws:s3/bucket:Bucket').find((b) => b.name === `${cluster}-events`)!;
      const bucketArn = `arn:aws:s3:::${String(bucket.inputs.bucket ?? bucket.name)}`;
      const reads = policies
        .flatMap((p) => JSON.parse(p.inputs.policy as string).Statement as Inputs[])
        .filter((statement) => [statement.Resource].flat().some((r: string) => r.startsWith(bucketArn)));
      expect(reads.flatMap((statement) => statement.Action as string[]).sort(), cluster).toEqual([
        's3:GetObject',
        's3:ListBucket',
      ]);
    }
  });

  it('across AWS accounts: a bucket and its key grant the host runtime role exactly what its own policy does', () => {
    const hostRoleArn = String(
      ofType('aws:eks/podIdentityAssociation:PodIdentityAssociation').find((r) => r.name === `${host}-sparkplane`)!
        .inputs.roleArn,
    );
    const hostAccount = hostRoleArn.split(':')[4];
    const identity = ofType('aws:iam/rolePolicy:RolePolicy')
      .filter((p) => p.inputs.role === hostRoleArn.split('/').pop())
      .flatMap((p) => JSON.parse(p.inputs.policy as string).Statement as Inputs[]);
    const grantsTo = (policy: unknown) =>
      (policy === undefined ? [] : (JSON.parse(policy as string).Statement as Inputs[])).filter(
        (s) => s.Effect === 'Allow' && [s.Principal?.AWS].flat().includes(hostRoleArn),
      );
    // what a statement allows, whoever's policy it is in
    const allowed = (statements: Inputs[]) =>
      statements
        .map((s) => JSON.stringify({ Action: s.Action, Resource: s.Resource, Condition: s.Condition ?? {} }))
        .sort();
    const crossAccount = crossAccountReaders(fleet);
    expect(crossAccount.sort()).toEqual(
      fleet.members
        .filter((m) => m.cluster.cloud === 'aws' && m.cluster.accountId !== hostAccount)
        .map((m) => m.name)
        .sort(),
    );
    expect(crossAccount).toHaveLength(4);
    for (const cluster of others('aws')) {
      const bucket = ofType('aws:s3/bucket:Bucket').find((b) => b.name === `${cluster}-events`)!;
      const bucketArn = `arn:aws:s3:::${String(bucket.inputs.bucket ?? bucket.name)}`;
      const key = ofType('aws:kms/key:Key').find((k) => k.name === `${cluster}-events`)!;
      const keyArn = identity.find(
        (s) => String(s.Resource).startsWith('arn:aws:kms:') && String(s.Resource).endsWith(`:${cluster}-events`),
      )!.Resource as string;
      const mine = identity.filter((s) => [s.Resource].flat().some((r: string) => r.startsWith(bucketArn)));
      const bucketGrants = grantsTo(
        ofType('aws:s3/bucketPolicy:BucketPolicy').find((p) => p.name === `${cluster}-events`)!.inputs.policy,
      );
      const keyGrants = grantsTo(key.inputs.policy);
      if (!crossAccount.includes(cluster)) {
        // the same account: its IAM policy is enough, and the bucket and key name no one
        expect(bucketGrants, cluster).toEqual([]);
        expect(key.inputs.policy, cluster).toBeUndefined();
        continue;
      }
      expect(keyArn.split(':')[4], cluster).not.toBe(hostAccount);
      expect(allowed(bucketGrants), cluster).toEqual(allowed(mine));
      expect(bucketGrants.flatMap((s) => s.Action as string[]).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
      expect(bucketGrants.flatMap((s) => [s.Resource].flat()).sort()).toEqual([bucketArn, `${bucketArn}/eventlogs/*`]);
      // decrypting: the role's policy names the key, the key's policy the role, for this bucket only
      const decrypt = identity.filter((s) => s.Resource === keyArn);
      expect(
        decrypt.flatMap((s) => s.Action as string[]),
        cluster,
      ).toEqual(['kms:Decrypt']);
      expect(
        keyGrants.flatMap((s) => s.Action as string[]),
        cluster,
      ).toEqual(['kms:Decrypt']);
      expect(keyGrants[0]!.Condition.StringEquals['kms:EncryptionContext:aws:s3:arn']).toBe(bucketArn);
      // and its own account keeps administering the key
      const statements = JSON.parse(key.inputs.policy as string).Statement as Inputs[];
      expect(statements.find((s) => s.Action.includes('kms:*'))!.Principal.AWS).toBe(
        `arn:aws:iam::${keyArn.split(':')[4]}:root`,
      );
    }
  });

  it('on GKE: container.developer and reading its bucket, for the EKS runtime role federated through a pool', () => {
    const hostRoleArn = String(
      ofType('aws:eks/podIdentityAssociation:PodIdentityAssociation').find((r) => r.name === `${host}-sparkplane`)!
        .inputs.roleArn,
    );
    const [account, roleName] = [hostRoleArn.split(':')[4], hostRoleArn.split('/').pop()];
    const [pool] = ofType('gcp:iam/workloadIdentityPool:WorkloadIdentityPool');
    const [provider] = ofType('gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider');
    expect(pool!.inputs.project).toBe('acme-analytics');
    // the provider trusts the host runtime's account, and of it only that role's sessions
    expect(provider!.inputs.aws).toEqual({ accountId: account });
    expect(provider!.inputs.attributeCondition).toBe(
      `attribute.aws_role == "arn:aws:sts::${account}:assumed-role/${roleName}"`,
    );
    const readers = ofType('gcp:storage/bucketIAMMember:BucketIAMMember').filter((m) =>
      String(m.inputs.member).startsWith('principalSet://'),
    );
    const principal = String(readers[0]!.inputs.member);
    const poolPath = new RegExp(
      `^principalSet://iam\\.googleapis\\.com/(projects/\\d+/locations/global/workloadIdentityPools/${String(pool!.inputs.workloadIdentityPoolId)})/attribute\\.aws_role/arn:aws:sts::${account}:assumed-role/${roleName}$`,
    ).exec(principal);
    expect(poolPath, principal).not.toBeNull();
    const developers = ofType('gcp:projects/iAMMember:IAMMember').filter((m) => m.inputs.member === principal);
    expect(developers.map((m) => m.inputs.role)).toEqual(others('gcp').map(() => 'roles/container.developer'));
    expect(readers.map((r) => [r.inputs.member, r.inputs.role])).toEqual(
      others('gcp').map(() => [principal, 'roles/storage.objectViewer']),
    );
    const buckets = ofType('gcp:storage/bucket:Bucket');
    for (const cluster of others('gcp')) {
      const bucket = buckets.find((b) => b.name === `${cluster}-events`)!;
      expect(
        readers.map((r) => r.inputs.bucket),
        cluster,
      ).toContain(bucket.inputs.name);
    }
    // the runtime exchanges its role's credentials at that pool's provider: the file it is pointed at
    const hostObjects = inCluster(host);
    const runtime = hostObjects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sparkplane')!;
    const container = runtime.spec.template.spec.containers[0] as Inputs;
    const path = (container.env as Inputs[]).find((e) => e.name === 'GOOGLE_APPLICATION_CREDENTIALS')!.value as string;
    const mount = (container.volumeMounts as Inputs[]).find((m) => path.startsWith(`${m.mountPath}/`))!;
    const volume = (runtime.spec.template.spec.volumes as Inputs[]).find((v) => v.name === mount.name)!;
    const configMap = hostObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)!;
    const credentials = JSON.parse(configMap.data[path.slice(mount.mountPath.length + 1)] as string);
    expect(credentials).toMatchObject({
      type: 'external_account',
      audience: `//iam.googleapis.com/${poolPath![1]}/providers/${String(provider!.inputs.workloadIdentityPoolProviderId)}`,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      credential_source: { environment_id: 'aws1' },
    });
  });
});

describe('monitoring', () => {
  it('is rendered by some stack, so the scrape check above checks something', () => {
    const withMonitor = Object.keys(CONFIGS).filter((stack) =>
      objects(rendered[stack]!).some((o) => o.kind === 'ServiceMonitor'),
    );
    expect(withMonitor).toContain('prod');
  });
});

describe('the schema checks themselves', () => {
  it('reject what the API server would reject', () => {
    const Deployment = modelOf('apps/v1', 'Deployment')!;
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } };
    expect(() => new Deployment(bad).validate()).toThrow();
    expect(modelOf('networking.k8s.io/v1', 'Ingress')).toBeDefined();
    expect(modelOf('v1', 'Service')).toBeDefined();
    const pool = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'p' }, spec: { limits: 'x' } };
    expect(CRDS['karpenter.sh/v1/NodePool']!.errors(pool)).not.toEqual([]);
  });
});

describe('a mirrored install', () => {
  it('fetches every chart and image it installs from the mirrors the platform team names', async () => {
    const config: Record<string, string> = {
      ...CONFIGS.prod!,
      'sparkplane:mirrors': JSON.stringify({
        charts: 'oci://registry.acme.internal/charts',
        images: 'registry.acme.internal/mirror',
      }),
    };
    const { resources } = await renderStack('prod', config);
    const charts = releases(resources).map((r) => ({ chart: r.chart, repo: r.repositoryOpts?.repo }));
    expect(charts.length).toBe(4);
    for (const chart of charts) expect(chart.chart).toMatch(/^oci:\/\/registry\.acme\.internal\/charts\//);
    const runtimeImage = JSON.parse(config['sparkplane:platform']!).runtimeImage;
    const images = objects(resources).flatMap((o) =>
      ((o.spec?.template?.spec?.containers ?? []) as { image: string }[]).map((c) => c.image),
    );
    expect(images).toContain(`registry.acme.internal/mirror/apache/spark:${HISTORY_SERVER_IMAGE.split(':')[1]}`);
    // the runtime's own image is the team's; every other comes from the mirror
    for (const image of images.filter((i) => i !== runtimeImage))
      expect(image).toMatch(/^registry\.acme\.internal\/mirror\//);
    const values = Object.fromEntries(releases(resources).map((r) => [r.name, r.values]));
    expect(values.karpenter.controller.image.repository).toBe('registry.acme.internal/mirror/karpenter/controller');
    expect(values['spark-operator'].image.registry).toBe('registry.acme.internal/mirror');
    expect(values['aws-load-balancer-controller'].image.repository).toBe(
      'registry.acme.internal/mirror/eks/aws-load-balancer-controller',
    );
  });
});
