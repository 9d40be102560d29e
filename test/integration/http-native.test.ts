/** The native API (/api/v1) over inject(): submission, idempotency, errors as problem documents, logs, docs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let admin: Record<string, string>;
beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
});
afterAll(async () => {
  await f.server.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  f.server.inject({ method: 'POST', url, payload: payload as object, headers: { ...admin, ...headers } });
const get = (url: string) => f.server.inject({ method: 'GET', url, headers: admin });

describe('native API', () => {
  it('submits (201), returns the same application for the same appId (200) and runs it once', async () => {
    const body = {
      clusterId: 'local',
      jobId: 'daily-etl',
      appId: 'daily-etl-2026-03-01',
      configOverrides: { executor: { instances: 2 } },
    };
    const first = await post('/api/v1/applications', body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      id: 'daily-etl-2026-03-01',
      state: 'NEW',
      userId: 'admin',
      submissionSource: 'api',
    });
    const again = await post('/api/v1/applications', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe('daily-etl-2026-03-01');
    await f.applications.idle();
    expect(f.backend.submitted.filter((s) => s.app.id === 'daily-etl-2026-03-01')).toHaveLength(1);
    const fetched = await get('/api/v1/applications/daily-etl-2026-03-01');
    expect(fetched.json().backendRef).toBe('fake-daily-etl-2026-03-01');
  });

  it('honours the Idempotency-Key header', async () => {
    const headers = { 'idempotency-key': 'retry-42' };
    const first = await post('/api/v1/applications', { clusterId: 'local', jobId: 'keyed' }, headers);
    const second = await post('/api/v1/applications', { clusterId: 'local', jobId: 'keyed' }, headers);
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(second.json().id).toBe(first.json().id);
  });

  it('answers 400 problem documents naming every invalid field', async () => {
    const response = await post('/api/v1/applications', {
      clusterId: 'local',
      jobId: 'Bad_Job',
      configOverrides: { executor: { memory: '8gigs', instances: -1 }, surprise: true },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/api/v1/applications' });
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['configOverrides', 'configOverrides.executor.instances', 'configOverrides.executor.memory', 'jobId'].sort(),
    );
    const memory = problem.errors.find((e: { path: string }) => e.path === 'configOverrides.executor.memory');
    expect(memory.message).toContain('"8gigs" is not');
  });

  it('validates query strings with the parameter named', async () => {
    const response = await get('/api/v1/applications?limit=zero&state=DONE');
    expect(response.statusCode).toBe(400);
    const paths = response.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['query.limit', 'query.state']));
  });

  it('answers 400 for malformed JSON, 413 over the body limit, 404 for unknown things, never a stack', async () => {
    const malformed = await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"jobId": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].message).toContain('is not valid JSON');
    const big = await post('/api/v1/applications', {
      clusterId: 'local',
      jobId: 'big',
      configOverrides: { arguments: ['x'.repeat(70_000)] },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
    const cluster = await post('/api/v1/applications', { clusterId: 'nowhere', jobId: 'etl' });
    expect([cluster.statusCode, cluster.json().detail]).toEqual([404, "Couldn't find cluster with ID: nowhere"]);
    for (const url of [
      '/api/v1/applications/nope',
      '/api/v1/jobs/nope',
      '/api/v1/clusters/local/templates/nope',
      '/api/v1/nothing',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().code, url).toBe('RESOURCE_NOT_FOUND');
      expect(response.body).not.toContain('    at ');
    }
  });

  it('answers 409 for an appId of another cluster', async () => {
    await post('/api/v1/applications', { clusterId: 'local', jobId: 'etl', appId: 'taken' });
    const conflict = await post('/api/v1/applications', { clusterId: 'other', jobId: 'etl2', appId: 'taken' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'CONFLICT' });
  });

  it('lists with filters and pagination, and kills', async () => {
    for (const team of ['a', 'b', 'a']) {
      await post('/api/v1/applications', {
        clusterId: 'other',
        jobId: `team-${team}`,
        configOverrides: { labels: { team } },
      });
    }
    const page = await get('/api/v1/applications?clusterId=other&label=team:a&limit=1');
    expect(page.statusCode).toBe(200);
    expect(page.json().items).toHaveLength(1);
    const next = await get(
      `/api/v1/applications?clusterId=other&label=team:a&limit=1&cursor=${page.json().nextCursor}`,
    );
    expect(next.json().items).toHaveLength(1);
    expect(next.json().nextCursor).toBeUndefined();
    const id = next.json().items[0].id as string;
    const killed = await f.server.inject({ method: 'DELETE', url: `/api/v1/applications/${id}`, headers: admin });
    expect(killed.json()).toMatchObject({ id, state: 'KILLED', stateReason: 'killed by admin' });
    const states = await get('/api/v1/applications?clusterId=other&state=KILLED&state=FAILED');
    expect(states.json().items.map((a: { id: string }) => a.id)).toEqual([id]);
  });

  it('serves the driver log as text and follows it until the application ends', async () => {
    const { id } = (await post('/api/v1/applications', { clusterId: 'local', jobId: 'logged' })).json() as {
      id: string;
    };
    f.backend.logs.set(id, ['line 1', 'line 2']);
    const log = await get(`/api/v1/applications/${id}/log`);
    expect(log.headers['content-type']).toContain('text/plain');
    expect(log.body).toBe('line 1\nline 2\n');
    setTimeout(() => {
      f.backend.logs.get(id)?.push('line 3');
      f.backend.emit(id, { state: 'COMPLETED' });
    }, 20);
    const followed = await get(`/api/v1/applications/${id}/log?follow=true`);
    expect(followed.body).toBe('line 1\nline 2\nline 3\n');
  });

  it('manages jobs, their config and executions, and templates per cluster', async () => {
    const template = await post('/api/v1/clusters/local/templates', { id: 'small', config: { driver: { cores: 1 } } });
    expect(template.statusCode).toBe(201);
    expect((await post('/api/v1/clusters/local/templates', { id: 'small', config: {} })).statusCode).toBe(409);
    const put = await f.server.inject({
      method: 'PUT',
      url: '/api/v1/jobs/nightly/config',
      headers: admin,
      payload: { id: 'nightly', clusterId: 'local', configTemplateId: 'small', config: { executor: { instances: 3 } } },
    });
    expect(put.statusCode).toBe(200);
    const submitted = (await post('/api/v1/applications', { clusterId: 'local', jobId: 'nightly' })).json();
    expect(submitted.config).toMatchObject({ driver: { cores: 1 }, executor: { instances: 3 } });
    expect(submitted.provenance).toMatchObject({ '/driver/cores': 'template', '/executor/instances': 'job' });
    const job = (await get('/api/v1/jobs/nightly')).json();
    expect(job.executions.map((a: { id: string }) => a.id)).toEqual([submitted.id]);
    expect((await get('/api/v1/jobs/nightly/config')).json()).toMatchObject({
      id: 'nightly',
      configTemplateId: 'small',
    });
    expect((await get('/api/v1/jobs?clusterId=local')).json().items.map((j: { id: string }) => j.id)).toContain(
      'nightly',
    );
    const updated = await f.server.inject({
      method: 'PUT',
      url: '/api/v1/clusters/local/templates/small',
      headers: admin,
      payload: { config: { driver: { cores: 2 } } },
    });
    expect(updated.json().config).toEqual({ driver: { cores: 2 } });
    const deleted = await f.server.inject({
      method: 'DELETE',
      url: '/api/v1/clusters/local/templates/small',
      headers: admin,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await get('/api/v1/clusters/local/templates/small')).statusCode).toBe(404);
  });

  it('creates tokens whose secret is shown once, lists them without secrets, revokes them', async () => {
    const created = await post('/api/v1/tokens', {
      name: 'airflow',
      scopes: ['spark:createApplication', 'applications:read'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().scopes).toEqual(['applications:create', 'applications:read']);
    const secret = created.json().secret as string;
    expect(secret.length).toBeGreaterThan(40);
    const list = await get('/api/v1/tokens');
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain('secretHash');
    const bad = await post('/api/v1/tokens', { name: 'x', scopes: ['everything'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('scopes[0]');
    const revoke = await f.server.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.json().id}`,
      headers: admin,
    });
    expect(revoke.statusCode).toBe(204);
  });

  it('serves an OpenAPI document generated from the zod schemas, and the clusters', async () => {
    const doc = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/applications', '/ocean/spark/cluster/{clusterId}/app']),
    );
    const ref = doc.paths['/api/v1/applications'].post.requestBody.content['application/json'].schema.$ref as string;
    const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['clusterId', 'jobId', 'configOverrides']));
    expect(JSON.stringify(doc.components.schemas)).toContain('ApplicationConfig');
    const clusters = (await get('/api/v1/clusters')).json();
    expect(clusters.items.map((c: { id: string; state: string }) => `${c.id}:${c.state}`)).toEqual([
      'local:AVAILABLE',
      'other:AVAILABLE',
    ]);
  });

  it('refuses a body nested too deep with a 400 naming the depth, in both APIs', async () => {
    let nested = '1';
    for (let i = 0; i < 5000; i++) nested = i % 2 ? `{"a":${nested}}` : `[${nested}]`;
    const headers = { ...bearer(f.adminSecret), 'content-type': 'application/json' };
    const native = await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers,
      payload: `{"clusterId":"local","jobId":"deep","configOverrides":{"driver":{"affinity":{"x":${nested}}}}}`,
    });
    expect(native.statusCode).toBe(400);
    expect(native.json().errors).toEqual([
      { path: '(body)', message: '(body): nested 5004 levels deep: expected at most 64' },
    ]);
    const ocean = await f.server.inject({
      method: 'POST',
      url: '/ocean/spark/cluster/local/app?accountId=a',
      headers,
      payload: `{"jobId":"deep","configOverrides":{"labels":${nested}}}`,
    });
    expect(ocean.statusCode).toBe(400);
    expect(ocean.json().response.errors[0].code).toBe('VALIDATION_FAILED');
  });

  it("refuses values over the cluster's capacity with a 400 naming the field and the limit, in both APIs", async () => {
    f.backend.declaredCapacity = { cores: 4, memoryMiB: 16_384 };
    try {
      const headers = { ...bearer(f.adminSecret), 'content-type': 'application/json' };
      const native = await f.server.inject({
        method: 'POST',
        url: '/api/v1/applications',
        headers,
        payload: { clusterId: 'local', jobId: 'huge', configOverrides: { executor: { memory: '99999999t' } } },
      });
      expect(native.statusCode).toBe(400);
      expect(native.json().errors[0].path).toBe('config.executor.memory');
      expect(native.json().errors[0].message).toMatch(/more than cluster local holds 4 cores and 16g in all/);
      const ocean = await f.server.inject({
        method: 'POST',
        url: '/ocean/spark/cluster/local/app?accountId=a',
        headers,
        payload: { jobId: 'huge', configOverrides: { executor: { instances: 1_000_000_000 } } },
      });
      expect(ocean.statusCode).toBe(400);
      expect(JSON.stringify(ocean.json().response.errors)).toContain('config.executor.instances');
      // a huge array past the body limit is a 413 naming the limit, never a 500
      const huge = await f.server.inject({
        method: 'POST',
        url: '/api/v1/applications',
        headers,
        payload: {
          clusterId: 'local',
          jobId: 'huge',
          configOverrides: { arguments: Array.from({ length: 200_000 }, () => 'x') },
        },
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json().detail).toMatch(/over the limit of \d+ bytes/);
    } finally {
      f.backend.declaredCapacity = undefined;
    }
  });

  it('names the accepted states when a state filter has a typo', async () => {
    const answer = await f.server.inject({
      method: 'GET',
      url: '/api/v1/applications?state=RUNNNG',
      headers: bearer(f.adminSecret),
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors[0].message).toBe(
      'query.state: "RUNNNG" is not one of "NEW", "PENDING", "RUNNING", "COMPLETED", "COMPLETED_WITH_WARNINGS", "FAILED", "KILLED", "TIMED_OUT"',
    );
  });
});
