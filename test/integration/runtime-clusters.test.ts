/**
 * Where the runtime takes its clusters from, over restarts on one data directory: without a
 * clusters file the stored clusters are the truth (API-created ones survive a restart with their
 * back-ends); with one, the file is, and a stored cluster it no longer declares is UNAVAILABLE
 * with the reason. Also /metrics, which counts what happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';

const token = 'runtime-clusters-admin-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-clusters-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(clustersFile?: ServiceConfig['clustersFile'], backend = new FakeBackend()): Promise<Runtime> {
  const config = ServiceConfig.parse({ dataDir, port: 0, adminToken: token, clustersFile });
  const runtime = await buildRuntime(config, {
    plugins: [fakeBackendPlugin(backend)],
    logger: pino({ level: 'silent' }),
    validateResponses: true,
  });
  await runtime.tokens.ensureAdminToken(token);
  return runtime;
}

const call = (runtime: Runtime, method: 'GET' | 'POST', url: string, payload?: object) =>
  runtime.server.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

describe('the clusters of a runtime', () => {
  it('creates the local cluster on a first start and keeps API-created clusters across a restart', async () => {
    const first = await start();
    expect((await call(first, 'GET', '/api/v1/clusters')).json().items.map((c: { id: string }) => c.id)).toEqual([
      'local',
    ]);
    expect((await call(first, 'POST', '/api/v1/clusters', { id: 'extra', backend: 'local' })).statusCode).toBe(201);
    await first.close();

    const backend = new FakeBackend();
    const second = await start(undefined, backend);
    const clusters = (await call(second, 'GET', '/api/v1/clusters')).json().items as { id: string; state: string }[];
    expect(clusters.map((c) => [c.id, c.state])).toEqual([
      ['extra', 'AVAILABLE'],
      ['local', 'AVAILABLE'],
    ]);
    const submitted = await call(second, 'POST', '/api/v1/applications', { clusterId: 'extra', jobId: 'j' });
    expect(submitted.statusCode).toBe(201);
    await second.applications.idle();
    expect(backend.submitted).toHaveLength(1);

    const metrics = await call(second, 'GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('sparkplane_applications_submitted_total{cluster="extra"} 1');
    expect(metrics.body).toMatch(/sparkplane_applications_active\{cluster="extra",state="(NEW|PENDING)"\} 1/);
    expect(metrics.body).toMatch(
      /sparkplane_store_operation_duration_seconds_count\{operation="insertApplication"\} 1/,
    );
    expect(metrics.body).toContain('sparkplane_submission_duration_seconds_count 1');
    expect((await second.server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    await second.close();
  });

  it('with a clusters file, serves what it declares and marks the stored clusters it does not declare', async () => {
    const runtime = await start({
      path: '/etc/sparkplane/clusters.yaml',
      clusters: [{ id: 'local', backend: 'local', settings: { from: 'file' } }],
    });
    const clusters = (await call(runtime, 'GET', '/api/v1/clusters')).json().items as {
      id: string;
      state: string;
      reason?: string;
      managedBy: string;
      settings: Record<string, unknown>;
    }[];
    expect(clusters).toMatchObject([
      {
        id: 'extra',
        state: 'UNAVAILABLE',
        reason: 'not declared in /etc/sparkplane/clusters.yaml any more',
        managedBy: 'file',
      },
      { id: 'local', state: 'AVAILABLE', settings: { from: 'file' }, managedBy: 'file' },
    ]);
    const refused = await call(runtime, 'POST', '/api/v1/clusters', { id: 'more', backend: 'local' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('/etc/sparkplane/clusters.yaml');
    await runtime.close();
  });

  it('writes a change of display name alone from the clusters file', async () => {
    const runtime = await start({
      path: '/etc/sparkplane/clusters.yaml',
      clusters: [{ id: 'local', displayName: 'Laptop', backend: 'local', settings: { from: 'file' } }],
    });
    expect((await call(runtime, 'GET', '/api/v1/clusters/local')).json()).toMatchObject({
      displayName: 'Laptop',
      settings: { from: 'file' },
    });
    await runtime.close();
  });
});
