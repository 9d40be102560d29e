/**
 * The runtime over the kubernetes back-end when the cluster misbehaves, through the real
 * @kubernetes/client-node against the test API server: an API server out of reach leaves an
 * acknowledged application PENDING with the reason and hands it over once it answers; what the API
 * server would refuse (422) is refused at submission (400) instead, naming the field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubernetesBackend } from '../../runtime/adapters/k8s/plugin';
import type { Application } from '../../runtime/domain/application';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';

const NS = 'spark-apps';
const token = 'k8s-faults-admin-token-0123456789';
const CONFIG = { type: 'Python', mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' };

let dataDir: string;
let server: FakeKubeApiServer;
let runtime: Runtime;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-k8s-faults-'));
  server = await FakeKubeApiServer.start();
  const config = ServiceConfig.parse({
    dataDir,
    port: 0,
    adminToken: token,
    clustersFile: {
      path: join(dataDir, 'clusters.yaml'),
      clusters: [{ id: 'k8s', backend: 'kubernetes', settings: { eventLogBucketUrl: 's3a://logs' } }],
    },
  });
  runtime = await buildRuntime(config, {
    plugins: [
      kubernetesBackend({
        kubeConfig: () => server.kubeConfig(),
        requestTimeoutMs: 1_000,
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      }),
    ],
    logger: pino({ level: 'silent' }),
    validateResponses: true,
  });
  await runtime.tokens.ensureAdminToken(token);
});

afterEach(async () => {
  await runtime.close();
  await server.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  runtime.server.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

const appNow = async (id: string) => (await call('GET', `/api/v1/applications/${id}`)).json() as Application;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the kubernetes back-end under faults', () => {
  it('keeps a submission made while the API server is down PENDING with the reason, and hands it over when it returns', async () => {
    await server.pause();
    const submitted = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: CONFIG,
    });
    expect(submitted.statusCode).toBe(201);
    const id = (submitted.json() as Application).id;

    const waiting = await waitFor('the reason it waits', async () => {
      const app = await appNow(id);
      return app.pendingReason !== undefined && app;
    });
    expect(waiting.state).toBe('PENDING');
    expect(waiting.pendingReason).toMatch(
      /^cluster k8s: creating SparkApplication .* failed: .*ECONNREFUSED.*; trying again in 2 s$/,
    );
    expect(waiting.backendRef).toBeUndefined();

    await server.resume();
    const handedOver = await waitFor('the hand-over', async () => {
      const app = await appNow(id);
      return app.backendRef !== undefined && app;
    });
    expect(handedOver.pendingReason).toBeUndefined();
    expect(server.get(NS, id)?.metadata.labels).toMatchObject({ 'sparkplane.io/app-id': id });
    server.setStatus(NS, id, { applicationState: { state: 'RUNNING' } });
    await waitFor('RUNNING', async () => (await appNow(id)).state === 'RUNNING');
  });

  it('kills an application its API server never received while it is down, without waiting for it', async () => {
    await server.pause();
    const submitted = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: CONFIG,
    });
    const id = (submitted.json() as Application).id;
    await waitFor('the reason it waits', async () => (await appNow(id)).pendingReason !== undefined);

    const killed = await call('DELETE', `/api/v1/applications/${id}`);
    expect(killed.statusCode).toBe(200);
    expect((await appNow(id)).state).toBe('KILLED');
    await server.resume();
    // the deferred hand-over finds it stopped: nothing is created
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(server.get(NS, id)).toBeUndefined();
  });

  it('refuses at submission what the API server would refuse, naming the field, and creates strictly', async () => {
    const refused = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: {
        ...CONFIG,
        executor: { instances: 0, securityContext: { bogusField: true } },
        labels: { 'Data Eng': 'x' },
      },
    });
    expect(refused.statusCode).toBe(400);
    const problem = refused.json() as { detail: string; errors?: { path: string }[] };
    expect(problem.detail).toContain('config.executor.instances: 0 must be >= 1');
    expect(problem.detail).toContain(
      'config.executor.securityContext.bogusField: true is not a field the CRD declares',
    );
    expect(problem.detail).toContain('config.labels.Data Eng');
    expect((await call('GET', '/api/v1/applications')).json().items).toEqual([]);
    expect(server.count('POST', 'sparkapplications')).toBe(0);

    const accepted = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: CONFIG,
    });
    expect(accepted.statusCode).toBe(201);
    await waitFor('the hand-over', async () => (await appNow((accepted.json() as Application).id)).backendRef);
    // an unknown field the preflight missed is refused by the API server, not pruned
    expect(server.count('POST', 'fieldValidation=Strict')).toBe(1);
  });

  it('reads a cluster whose operator is down DEGRADED, and holds its submissions PENDING with that reason until it runs', async () => {
    server.operator = [{ component: 'controller', available: 0 }];
    await runtime.health.refresh();
    const cluster = (await call('GET', '/api/v1/clusters/k8s')).json() as { state: string; reason: string };
    expect(cluster).toMatchObject({
      state: 'DEGRADED',
      reason:
        "spark-operator's controller spark-operator/spark-operator-controller has 0/1 available replicas: SparkApplications are not started",
    });

    const submitted = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: CONFIG,
    });
    expect(submitted.statusCode).toBe(201);
    const id = (submitted.json() as Application).id;
    const waiting = await waitFor('the reason it waits', async () => {
      const app = await appNow(id);
      return app.pendingReason !== undefined && app;
    });
    expect(waiting.pendingReason).toContain(
      "cluster k8s: spark-operator's controller spark-operator/spark-operator-controller has 0/1 available replicas",
    );
    expect(server.get(NS, id)).toBeUndefined();

    server.operator = [{ component: 'controller', available: 1 }];
    await runtime.health.refresh();
    expect((await call('GET', '/api/v1/clusters/k8s')).json()).toMatchObject({
      state: 'AVAILABLE',
      operatorVersion: '2.5.0',
    });
    await waitFor('the hand-over', async () => (await appNow(id)).backendRef);
    expect(server.get(NS, id)).toBeDefined();
  });
});
