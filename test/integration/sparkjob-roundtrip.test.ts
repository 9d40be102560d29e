/**
 * Jobs as code, end to end: a Pulumi program's SparkJob (under mocks) is the object `pulumi up`
 * would create; the generated CRD takes it; created on the fake API server (real HTTP), the
 * runtime's reconciler makes it a job and writes its status back; a spec change is applied as a
 * new generation, and a spec the runtime refuses says why in the status.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import * as k8s from '@pulumi/kubernetes';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SparkJob, type SparkJobArgs } from '../../components/jobs/spark-job';
import { sparkJobCrd } from '../../components/jobs/spark-job-crd';
import { runUnderMocks } from '../../components/testing/pulumi-mocks';
import { crdValidatorOf } from '../../runtime/adapters/k8s/crd-validator';
import { SparkJobStatus } from '../../runtime/domain/spark-job';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';

const NAMESPACE = 'sparkplane';
const coordinates = { group: 'sparkplane.io', version: 'v1alpha1', namespace: NAMESPACE, plural: 'sparkjobs' };
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-sparkjobs-'));
let fake: FakeKubeApiServer;
let runtime: Runtime;

beforeAll(async () => {
  fake = await FakeKubeApiServer.start();
  const config = ServiceConfig.parse({ dataDir, port: 0, sparkJobs: { namespace: NAMESPACE, resyncIntervalMs: 500 } });
  runtime = await buildRuntime(config, {
    plugins: [fakeBackendPlugin(new FakeBackend())],
    logger: pino({ level: process.env.SPARKJOB_TEST_LOG ?? 'silent' }),
    sparkJobsKubeConfig: fake.kubeConfig(),
  });
  await runtime.start();
});

afterAll(async () => {
  await runtime?.close();
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The object a Pulumi program's SparkJob component renders, as `pulumi up` would send it. */
async function renderedSparkJob(spec: SparkJobArgs['spec']) {
  const { resources } = await runUnderMocks(
    () =>
      new SparkJob(spec.id, {
        spec,
        namespace: NAMESPACE,
        provider: new k8s.Provider('cluster', { kubeconfig: 'unused' }),
      }),
  );
  const object = resources.find((r) => r.type === 'kubernetes:sparkplane.io/v1alpha1:SparkJob');
  expect(object, 'the component renders one SparkJob custom resource').toBeDefined();
  return object!.inputs as { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
}

async function statusOf(name: string) {
  return vi.waitFor(
    () => {
      const status = fake.sparkJob(NAMESPACE, name)?.status;
      expect(status).toBeDefined();
      return SparkJobStatus.parse(status);
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe('a SparkJob from a Pulumi program to a job of the runtime', () => {
  it('is accepted by the CRD, becomes the job, and reports its next run', async () => {
    const example = parse(readFileSync('examples/jobs/shuffle-aggregation.yaml', 'utf8')) as { id: string };
    const object = await renderedSparkJob({ ...example, id: 'nightly-aggregation' } as never);
    const validator = crdValidatorOf(sparkJobCrd() as never, 'v1alpha1');
    expect(validator.errors(object)).toEqual([]);

    const api = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({ ...coordinates, body: object });
    const status = await statusOf('nightly-aggregation');
    expect(status).toMatchObject({
      observedGeneration: 1,
      jobId: 'nightly-aggregation',
      conditions: [{ type: 'Ready', status: 'True', reason: 'Applied' }],
    });
    // the example runs at 02:00 Europe/Paris
    expect(status.nextRunAt).toMatch(/T0[01]:00:00/);
    const job = await runtime.store.getJob('nightly-aggregation');
    expect(job).toMatchObject({ clusterId: 'local', concurrencyPolicy: 'Forbid', schedule: { cron: '0 2 * * *' } });

    // a change of spec is a new generation, applied to the job
    const current = fake.sparkJob(NAMESPACE, 'nightly-aggregation')!;
    const spec = { ...(current.spec as object), schedule: { cron: '30 4 * * *', timezone: 'UTC' } };
    await api.replaceNamespacedCustomObject({
      ...coordinates,
      name: 'nightly-aggregation',
      body: { ...current, spec },
    });
    await vi.waitFor(async () => {
      expect(SparkJobStatus.parse(fake.sparkJob(NAMESPACE, 'nightly-aggregation')!.status).observedGeneration).toBe(2);
    });
    expect((await runtime.store.getJob('nightly-aggregation'))?.schedule?.cron).toBe('30 4 * * *');
    expect(SparkJobStatus.parse(fake.sparkJob(NAMESPACE, 'nightly-aggregation')!.status).nextRunAt).toMatch(
      /T04:30:00/,
    );
  });

  it('reports a last run once the job ran', async () => {
    const object = await renderedSparkJob({ id: 'adhoc', clusterId: 'local' });
    const api = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({ ...coordinates, body: object });
    await statusOf('adhoc');
    const submitted = await runtime.applications.submit(
      'local',
      { jobId: 'adhoc', configOverrides: { type: 'Python', mainApplicationFile: 'file:///tmp/job.py' } },
      { source: 'api' },
    );
    // the next resync of the SparkJobs writes the run into the status
    await vi.waitFor(
      () => {
        const status = SparkJobStatus.parse(fake.sparkJob(NAMESPACE, 'adhoc')!.status);
        expect(status.lastRun?.appId).toBe(submitted.app.id);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('says in the status why the runtime refused a spec, and leaves no job', async () => {
    const api = fake.kubeConfig().makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({
      ...coordinates,
      body: {
        apiVersion: 'sparkplane.io/v1alpha1',
        kind: 'SparkJob',
        metadata: { name: 'elsewhere' },
        spec: { clusterId: 'no-such-cluster' },
      },
    });
    const status = await statusOf('elsewhere');
    expect(status.conditions[0]).toMatchObject({ status: 'False', reason: 'RESOURCE_NOT_FOUND' });
    expect(status.conditions[0]!.message).toContain('no-such-cluster');
    expect(await runtime.store.getJob('elsewhere')).toBeUndefined();
  });
});
