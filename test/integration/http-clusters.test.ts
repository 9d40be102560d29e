/**
 * Clusters through the API: one created gets its back-end at once and takes applications; one
 * that runs applications cannot be changed or deleted; with a clusters file, the API refuses
 * changes and says where clusters are declared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterService } from '../../runtime/apps/cluster-service';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
beforeAll(async () => {
  f = await httpFixture();
});
afterAll(async () => {
  await f.server.close();
});

const admin = () => bearer(f.adminSecret);
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  f.server.inject({ method, url, headers: admin(), ...(payload ? { payload } : {}) });

describe('clusters through the API', () => {
  it('starts the back-end of a created cluster at once: it takes applications', async () => {
    const created = await call('POST', '/api/v1/clusters', {
      id: 'fresh',
      displayName: 'Fresh',
      backend: 'local',
      settings: { maxParallelism: 1 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'fresh', displayName: 'Fresh', backend: 'local', managedBy: 'api' });
    expect(f.backends.backendOf('fresh')).toBe(f.backend);
    const submitted = await call('POST', '/api/v1/applications', { clusterId: 'fresh', jobId: 'on-fresh' });
    expect(submitted.statusCode).toBe(201);
    await f.applications.idle();
    expect(f.backend.submitted.map((s) => s.app.id)).toContain(submitted.json().id);
    expect((await call('GET', '/api/v1/clusters/fresh')).json().state).toBe('AVAILABLE');
  });

  it('refuses an unknown back-end kind, naming the kinds it has', async () => {
    const answer = await call('POST', '/api/v1/clusters', { id: 'odd', backend: 'nomad' });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors).toEqual([{ path: 'backend', message: 'backend: "nomad" is not one of "local"' }]);
    expect((await call('GET', '/api/v1/clusters/odd')).statusCode).toBe(404);
  });

  it('refuses to change or delete a cluster while it runs applications, and deletes it after', async () => {
    await call('POST', '/api/v1/clusters', { id: 'busy', backend: 'local' });
    const app = (await call('POST', '/api/v1/applications', { clusterId: 'busy', jobId: 'on-busy' })).json();
    await f.applications.idle();
    for (const [method, payload] of [
      ['PUT', { settings: { maxParallelism: 2 } }],
      ['DELETE', undefined],
    ] as const) {
      const refused = await call(method, '/api/v1/clusters/busy', payload);
      expect(refused.statusCode, method).toBe(409);
      expect(refused.json().detail).toContain(`while it runs applications (e.g. ${app.id})`);
    }
    f.backend.emit(app.id, { state: 'COMPLETED' });
    await f.applications.idle();
    expect((await call('DELETE', '/api/v1/clusters/busy')).statusCode).toBe(204);
    expect(f.backends.backendOf('busy')).toBeUndefined();
    expect((await call('GET', '/api/v1/clusters/busy')).statusCode).toBe(404);
  });

  it('keeps its display name and Ocean id across a change of settings', async () => {
    await call('POST', '/api/v1/clusters', {
      id: 'named',
      displayName: 'Named',
      oceanClusterId: 'o-1',
      backend: 'local',
    });
    const changed = await call('PUT', '/api/v1/clusters/named', { settings: { maxParallelism: 4 } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      displayName: 'Named',
      oceanClusterId: 'o-1',
      settings: { maxParallelism: 4 },
    });
  });

  it('refuses every change when a clusters file declares the clusters, saying so', async () => {
    const managed = new ClusterService({
      store: f.store,
      backends: f.backends,
      health: { get: () => undefined, forget: () => undefined, refresh: async () => undefined },
      clustersFile: '/etc/sparkplane/clusters.yaml',
    });
    await expect(managed.create({ id: 'new-one', backend: 'local' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message:
        'cluster new-one cannot be changed through the API: clusters are declared in /etc/sparkplane/clusters.yaml (SPARKPLANE_CLUSTERS_FILE); edit that file and restart the runtime',
    });
    await expect(managed.delete('local')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await managed.get('local')).managedBy).toBe('file');
  });
});
