/**
 * The APIs and the CLI, unchanged, against the kubernetes back-end: the real runtime (SQLite) with a
 * `kubernetes` cluster whose kubeconfig points at a fake Kubernetes API server speaking real HTTP,
 * which plays spark-operator's part by setting the SparkApplications' status.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../runtime/cli/main';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';

const NS = 'spark-apps';
const TOKEN = 'kubernetes-e2e-admin-token';
let kube: FakeKubeApiServer;
let runtime: Runtime;
let url: string;
let dataDir: string;
const savedKubeconfig = process.env.KUBECONFIG;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = Record<string, any>;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

beforeAll(async () => {
  kube = await FakeKubeApiServer.start();
  dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-k8s-e2e-'));
  const kubeconfig = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeConfig('prod-context').exportConfig());
  process.env.KUBECONFIG = kubeconfig;
  runtime = await buildRuntime(
    ServiceConfig.parse({
      dataDir,
      adminToken: TOKEN,
      clustersFile: {
        path: 'the test clusters file',
        clusters: [
          {
            id: 'prod',
            backend: 'kubernetes',
            settings: { context: 'prod-context', namespace: NS, eventLogBucketUrl: 's3a://acme-logs' },
          },
        ],
      },
    }),
    { validateResponses: true },
  );
  await runtime.tokens.ensureAdminToken(TOKEN);
  await runtime.server.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(runtime.server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await runtime?.close();
  await kube?.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

describe('the APIs and the CLI on the kubernetes back-end', () => {
  it('reports the cluster as probed: state, heartbeat, Kubernetes and operator versions, nodes', async () => {
    const { status, json } = await call('GET', '/api/v1/clusters/prod');
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: 'prod', backend: 'kubernetes', state: 'AVAILABLE', kubernetesVersion: 'v1.33.2' });
    expect(json.operatorVersion).toBe('2.5.0');
    // the fake API server's three nodes, one of them not Ready
    expect(json.nodes).toEqual({ total: 3, ready: 2 });
    expect(Date.parse(json.lastHeartbeat)).not.toBeNaN();
    const list = await call('GET', '/api/v1/clusters');
    expect(list.json.items).toEqual([expect.objectContaining({ id: 'prod', nodes: { total: 3, ready: 2 } })]);
  });

  it('runs the Airflow sequence of the Ocean API: submit, poll to COMPLETED, with the Kubernetes events', async () => {
    const submitted = await call('POST', '/ocean/spark/cluster/prod/app?accountId=acme', {
      jobId: 'nightly',
      appId: 'nightly-2026-11-24',
      configOverrides: { type: 'Python', mainApplicationFile: 's3a://code/etl.py', executor: { instances: 2 } },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.json.response.items[0].id).toBe('nightly-2026-11-24');
    const created = await until('the SparkApplication', () => kube.get(NS, 'nightly-2026-11-24'));
    expect(created.spec).toMatchObject({ type: 'Python', executor: { instances: 2 } });

    const state = async () =>
      (await call('GET', '/ocean/spark/cluster/prod/app/nightly-2026-11-24?accountId=acme')).json.response.items[0]
        .appState as string;
    kube.setStatus(NS, 'nightly-2026-11-24', {
      applicationState: { state: 'RUNNING' },
      driverInfo: { podName: 'nightly-2026-11-24-driver' },
    });
    await until('RUNNING', async () => ((await state()) === 'RUNNING' ? true : undefined));
    kube.addEvent(NS, {
      kind: 'Pod',
      name: 'nightly-2026-11-24-driver',
      reason: 'Scheduled',
      message: 'Successfully assigned spark-apps/nightly-2026-11-24-driver to ip-10-0-1-7',
      time: '2026-11-24T01:00:00Z',
    });
    const events = await fetch(
      `${url}/ocean/spark/cluster/prod/app/nightly-2026-11-24/kubeEvents/live?accountId=acme`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );
    expect(await events.text()).toContain('Normal Scheduled Pod/nightly-2026-11-24-driver: Successfully assigned');
    kube.setStatus(NS, 'nightly-2026-11-24', { applicationState: { state: 'COMPLETED' } });
    await until('COMPLETED', async () => ((await state()) === 'COMPLETED' ? true : undefined));

    // the same submission again (a client retry) is the same application, not a second SparkApplication
    const again = await call('POST', '/ocean/spark/cluster/prod/app?accountId=acme', {
      jobId: 'nightly',
      appId: 'nightly-2026-11-24',
    });
    expect(again.json.response.items[0].appState).toBe('COMPLETED');
    expect(kube.created.get(`${NS}/nightly-2026-11-24`)).toBe(1);
  });

  it('kills through the native API by deleting the SparkApplication, and the CLI reads it', async () => {
    const submitted = await call('POST', '/api/v1/applications', {
      clusterId: 'prod',
      jobId: 'adhoc',
      appId: 'adhoc-1',
      configOverrides: { mainApplicationFile: 's3a://code/adhoc.py' },
    });
    expect(submitted.status).toBe(201);
    await until('the SparkApplication', () => kube.get(NS, 'adhoc-1'));
    kube.setStatus(NS, 'adhoc-1', { applicationState: { state: 'RUNNING' } });
    await until('RUNNING', async () =>
      (await call('GET', '/api/v1/applications/adhoc-1')).json.state === 'RUNNING' ? true : undefined,
    );

    const killed = await call('DELETE', '/api/v1/applications/adhoc-1');
    expect(killed.json.state).toBe('KILLED');
    await until('the deletion', () => (kube.get(NS, 'adhoc-1') === undefined ? true : undefined));

    const output: string[] = [];
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...values: unknown[]) => void output.push(values.join(' ')));
    try {
      expect(
        await main(['node', 'sparkplane', '--url', url, '--token', TOKEN, '--json', 'apps', 'get', 'adhoc-1']),
      ).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(JSON.parse(output.join('\n'))).toMatchObject({ id: 'adhoc-1', clusterId: 'prod', state: 'KILLED' });
  });
});
