/** The Ocean-Spark-compatible API (/ocean/spark) over inject(): envelope, items, errors, templates, clusters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRunMetrics, type RunMetrics } from '../../runtime/domain/metrics';
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

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload: unknown = {}) =>
  f.server.inject({ method, url, payload: payload as object, headers: admin });

describe('Ocean-compatible API', () => {
  it('submits and answers in the envelope with Ocean item fields', async () => {
    const response = await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', {
      jobId: 'daily-etl',
      appId: 'daily-etl-1',
      configOverrides: { type: 'Python', mainApplicationFile: 'local:///pi.py' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body.request).sort()).toEqual(['id', 'method', 'timestamp', 'url']);
    expect(body.request).toMatchObject({ method: 'POST', url: '/ocean/spark/cluster/local/app?accountId=act-1' });
    expect(body.response).toMatchObject({
      status: { code: 200, message: 'OK' },
      kind: 'spotinst:ocean:spark:application',
      count: 1,
    });
    const item = body.response.items[0];
    expect(item).toMatchObject({
      id: 'daily-etl-1',
      displayName: 'daily-etl-1',
      accountId: 'act-1',
      userId: 'admin',
      clusterId: 'local',
      controllerClusterId: 'local',
      appState: 'PENDING',
      submissionSource: 'public-api',
      job: { id: 'daily-etl', displayName: 'daily-etl' },
      config: { type: 'Python', mainApplicationFile: 'local:///pi.py' },
    });
    expect(item.internalId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(item.log.logsStreamUrl).toBe(
      'http://localhost:80/ocean/spark/cluster/local/app/daily-etl-1/logs/live?accountId=act-1',
    );
    for (const field of ['createdAt', 'updatedAt', 'startedAt', 'endedAt', 'metrics'])
      expect(item).toHaveProperty(field);
  });

  it('maps run metrics onto the Ocean metrics fields', async () => {
    await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', { jobId: 'measured', appId: 'measured-1' });
    const metrics: RunMetrics = {
      ...emptyRunMetrics(),
      durationMs: 90_500,
      executorCoreSeconds: 360,
      inputBytes: 1000,
      outputBytes: 200,
      efficiency: 0.4567,
      cost: { total: 0.12, currency: 'USD', method: 'test' },
    };
    await f.store.updateApplication('measured-1', { metrics });
    const item = (await call('GET', '/ocean/spark/cluster/local/app/measured-1?accountId=act-1')).json().response
      .items[0];
    expect(item.metrics).toEqual({
      cost: { total: 0.12 },
      spark: {
        sparkCoresDurationSeconds: 360,
        inputDataBytes: 1000,
        outputDataBytes: 200,
        durationSeconds: 90.5,
        efficiencyPercent: 45.67,
      },
    });
  });

  it('requires accountId on every call, reported in the envelope errors', async () => {
    const response = await call('GET', '/ocean/spark/cluster/local');
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.response.status.code).toBe(400);
    expect(body.response.errors).toEqual([
      {
        code: 'VALIDATION_FAILED',
        field: 'query.accountId',
        message: 'query.accountId: is required: expected a string',
      },
    ]);
  });

  it('reports invalid submissions field by field, unknown things as RESOURCE_NOT_FOUND, conflicts as 409', async () => {
    const invalid = await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', {
      jobId: 'etl',
      configOverrides: { driver: { cores: 'two' }, timeout: { minutes: 0 } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(
      invalid
        .json()
        .response.errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['configOverrides.driver.cores', 'configOverrides.timeout.minutes']);
    const cluster = await call('POST', '/ocean/spark/cluster/osc-nope/app?accountId=act-1', { jobId: 'etl' });
    expect(cluster.statusCode).toBe(404);
    expect(cluster.json().response.errors).toEqual([
      { code: 'RESOURCE_NOT_FOUND', message: "Couldn't find cluster with ID: osc-nope" },
    ]);
    const app = await call('GET', '/ocean/spark/cluster/local/app/nope?accountId=act-1');
    expect(app.json().response.errors[0]).toEqual({
      code: 'RESOURCE_NOT_FOUND',
      message: "Couldn't find application with ID: nope",
    });
    // an app exists only under its own cluster's path
    await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', { jobId: 'etl', appId: 'mine' });
    expect((await call('GET', '/ocean/spark/cluster/other/app/mine?accountId=act-1')).statusCode).toBe(404);
    const conflict = await call('POST', '/ocean/spark/cluster/other/app?accountId=act-1', {
      jobId: 'etl-x',
      appId: 'mine',
    });
    expect(conflict.statusCode).toBe(409);
    const big = await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', {
      jobId: 'etl',
      configOverrides: { arguments: ['x'.repeat(70_000)] },
    });
    expect([big.statusCode, big.json().response.errors[0].code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('kills with DELETE (body {}), and a second DELETE of the ended app is a harmless no-op', async () => {
    await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', { jobId: 'etl', appId: 'to-kill' });
    const killed = await call('DELETE', '/ocean/spark/cluster/local/app/to-kill?accountId=act-1', {});
    expect(killed.json().response.items[0]).toMatchObject({ id: 'to-kill', appState: 'KILLED' });
    const again = await call('DELETE', '/ocean/spark/cluster/local/app/to-kill?accountId=act-1', {});
    expect(again.statusCode).toBe(200);
    expect(again.json().response.items[0].appState).toBe('KILLED');
  });

  it('manages config templates per cluster and submits with one', async () => {
    const created = await call('POST', '/ocean/spark/cluster/local/configTemplate?accountId=act-1', {
      id: 'team-a',
      config: { executor: { instances: 4 } },
    });
    expect(created.json().response).toMatchObject({
      kind: 'spotinst:ocean:spark:configTemplate',
      items: [{ id: 'team-a', clusterId: 'local' }],
    });
    const updated = await call('PUT', '/ocean/spark/cluster/local/configTemplate/team-a?accountId=act-1', {
      config: { executor: { instances: 5 } },
    });
    expect(updated.json().response.items[0].config).toEqual({ executor: { instances: 5 } });
    const list = await call('GET', '/ocean/spark/cluster/local/configTemplate?accountId=act-1');
    expect(list.json().response.count).toBe(1);
    const app = await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', {
      jobId: 'templated',
      configTemplateId: 'team-a',
    });
    expect(app.json().response.items[0].config.executor).toEqual({ instances: 5 });
    expect((await call('GET', '/ocean/spark/cluster/other/configTemplate/team-a?accountId=act-1')).statusCode).toBe(
      404,
    );
    expect((await call('DELETE', '/ocean/spark/cluster/local/configTemplate/team-a?accountId=act-1')).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/ocean/spark/cluster/local/configTemplate/team-a?accountId=act-1')).statusCode).toBe(
      404,
    );
  });

  it('lists, creates, updates and deletes clusters', async () => {
    const list = (await call('GET', '/ocean/spark/cluster?accountId=act-1')).json();
    expect(list.response.items.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
      ['local', 'AVAILABLE'],
      ['other', 'AVAILABLE'],
    ]);
    const created = (
      await call('POST', '/ocean/spark/cluster?accountId=act-1', {
        cluster: { oceanClusterId: 'o-123', config: { backend: 'local' } },
      })
    ).json();
    const id = created.response.items[0].id as string;
    expect(id).toMatch(/^osc-[0-9a-f]{8}$/);
    expect(created.response.items[0]).toMatchObject({ oceanClusterId: 'o-123', backend: 'local', state: 'AVAILABLE' });
    const updated = (
      await call('PUT', `/ocean/spark/cluster/${id}?accountId=act-1`, { cluster: { config: { displayName: 'prod' } } })
    ).json();
    expect(updated.response.items[0]).toMatchObject({ displayName: 'prod', oceanClusterId: 'o-123' });
    expect((await call('DELETE', `/ocean/spark/cluster/${id}?accountId=act-1&forceDelete=true`)).statusCode).toBe(200);
    expect((await call('GET', `/ocean/spark/cluster/${id}?accountId=act-1`)).statusCode).toBe(404);
  });

  it('serves the driver log and the live streams listed under log', async () => {
    await call('POST', '/ocean/spark/cluster/local/app?accountId=act-1', { jobId: 'etl', appId: 'with-log' });
    f.backend.logs.set('with-log', ['hello']);
    f.backend.emit('with-log', { state: 'COMPLETED' });
    await f.applications.idle();
    expect((await call('GET', '/ocean/spark/cluster/local/app/with-log/log/live?accountId=act-1')).body).toBe(
      'hello\n',
    );
    expect((await call('GET', '/ocean/spark/cluster/local/app/with-log/logs/live?accountId=act-1')).body).toBe(
      'hello\n',
    );
    const events = await call('GET', '/ocean/spark/cluster/local/app/with-log/kubeEvents/live?accountId=act-1');
    expect([events.statusCode, events.body]).toEqual([200, '']);
  });
});
