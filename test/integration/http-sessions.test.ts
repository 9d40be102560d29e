/** The sessions API over inject() on a scripted back-end: shapes, bad input, scopes, and the /connect path without an upgrade. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, httpFixture, type HttpFixture } from './http-fixture';

let f: HttpFixture;
let admin: { authorization: string };

beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
});
afterAll(async () => {
  await f.server.close();
});

describe('/api/v1/sessions', () => {
  it('starts a session without a job, lists, gets and stops it', async () => {
    const started = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', appId: 'nb-1', configOverrides: { session: { idleTimeoutMinutes: 15 } } },
    });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json().application).toMatchObject({ id: 'nb-1', type: 'session', state: 'NEW' });
    expect(started.json().application.jobId).toBeUndefined();
    expect(started.json().idleTimeoutMinutes).toBe(15);
    const again = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', appId: 'nb-1' },
    });
    expect(again.statusCode).toBe(409);
    const list = await f.server.inject({ method: 'GET', url: '/api/v1/sessions', headers: admin });
    expect(list.json().items.map((s: { application: { id: string } }) => s.application.id)).toEqual(['nb-1']);
    const stopped = await f.server.inject({ method: 'DELETE', url: '/api/v1/sessions/nb-1', headers: admin });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(f.backend.killed).toContain('nb-1');
    // the Ocean items of a session carry no job
    const ocean = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/nb-1?accountId=a',
      headers: admin,
    });
    expect(ocean.json().response.items[0].job).toBeNull();
  });

  it('refuses bad input naming the field and value, and a token without the scope', async () => {
    const bad = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', configOverrides: { session: { idleTimeoutMinutes: 0 } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('configOverrides.session.idleTimeoutMinutes');
    const unknown = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', jobId: 'nightly' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toMatch(/jobId/);
    const reader = bearer(await f.token(['applications:read']));
    const refused = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: reader,
      payload: { clusterId: 'local' },
    });
    expect(refused.statusCode).toBe(403);
    const missing = await f.server.inject({ method: 'GET', url: '/api/v1/sessions/no-such', headers: admin });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses /connect to a stopped session (409), and answers a plain GET with a 400 saying it is a WebSocket', async () => {
    const stopped = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/nb-1/connect?accountId=a',
      headers: admin,
    });
    expect(stopped.statusCode).toBe(409);
    await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', appId: 'nb-2' },
    });
    await f.applications.idle();
    f.backend.connectEndpoint = async () => ({ host: '127.0.0.1', port: 1 });
    f.backend.emit('nb-2', { state: 'RUNNING', startedAt: f.clock.now().toISOString() });
    await f.applications.idle();
    const plain = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/nb-2/connect?accountId=a',
      headers: admin,
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.body).toMatch(/WebSocket/);
    const anonymous = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/nb-1/connect?accountId=a',
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
