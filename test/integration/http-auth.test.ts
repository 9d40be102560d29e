/**
 * Every route, from the server's own route table: no token -> 401, a wrong token -> 401, a token
 * without the route's scope -> 403. A new route is covered as soon as it is registered, and a
 * route that forgets to declare its scope needs admin (so it cannot be open by mistake).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

const PUBLIC_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /openapi.json'];
/** The dashboards' shell (static files, no data): public, tested in ui-static.test.ts. */
const UI_ROUTE = 'GET /*';

let f: HttpFixture;
beforeAll(async () => {
  f = await httpFixture();
});
afterAll(async () => {
  await f.server.close();
});

const concrete = (url: string) =>
  url.replace(/:(\w+)/g, (_m, name: string) => (name === 'clusterId' ? 'local' : `some-${name.toLowerCase()}`));

describe('authentication and scopes on every route', () => {
  it('has only health, OpenAPI and the docs as public routes', () => {
    const publicRoutes = f.server.routeTable
      .filter((r) => r.scope === 'public' && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual([...PUBLIC_ROUTES, UI_ROUTE].sort());
    expect(
      f.server.routeTable.filter((r) => r.url.startsWith('/api/v1') || r.url.startsWith('/ocean/spark')).length,
    ).toBeGreaterThan(30);
  });

  it('serves the public routes without a token', async () => {
    for (const route of PUBLIC_ROUTES) {
      const [method, url] = route.split(' ') as [string, string];
      const response = await f.server.inject({ method: method as 'GET', url });
      expect(response.statusCode, route).toBe(200);
    }
    expect((await f.server.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('answers 401 without a token, with a wrong token and with a revoked one, 403 without the scope, on every protected route', async () => {
    const protectedRoutes = f.server.routeTable.filter((r) => r.scope !== 'public');
    const scopeless = await f.token(['jobs:update']);
    const revoked = await f.tokens.create({ name: 'revoked', scopes: ['admin'] });
    await f.tokens.revoke(revoked.id);
    let checked = 0;
    for (const route of protectedRoutes) {
      const url = `${concrete(route.url)}?accountId=act-1`;
      const method = route.method as 'GET';
      const name = `${route.method} ${route.url}`;
      const none = await f.server.inject({ method, url, payload: {} });
      expect(none.statusCode, `${name} without a token`).toBe(401);
      expect(none.headers['www-authenticate'], name).toBe('Bearer');
      const wrong = await f.server.inject({ method, url, payload: {}, headers: bearer('spk_not-a-real-token') });
      expect(wrong.statusCode, `${name} with a wrong token`).toBe(401);
      const gone = await f.server.inject({ method, url, payload: {}, headers: bearer(revoked.secret) });
      expect(gone.statusCode, `${name} with a revoked token`).toBe(401);
      // a token holding a scope the route does not accept
      const other = route.scope === 'jobs:update' ? await f.token(['applications:read']) : scopeless;
      if (route.scope === 'authenticated') {
        // any valid token, whatever its scopes
        const allowed = await f.server.inject({ method, url, headers: bearer(other) });
        expect(allowed.statusCode, `${name} with a valid token`).toBe(200);
        checked++;
        continue;
      }
      const forbidden = await f.server.inject({ method, url, payload: {}, headers: bearer(other) });
      expect(forbidden.statusCode, `${name} without the scope ${route.scope}`).toBe(403);
      const body = forbidden.json() as { code?: string; response?: { errors: { code: string }[] } };
      expect(body.code ?? body.response?.errors[0]?.code, name).toBe('FORBIDDEN');
      checked++;
    }
    expect(checked).toBe(protectedRoutes.length);
  });

  it('answers 401 for a revoked token', async () => {
    const created = await f.tokens.create({ name: 'gone', scopes: ['applications:read'] });
    const ok = await f.server.inject({ method: 'GET', url: '/api/v1/applications', headers: bearer(created.secret) });
    expect(ok.statusCode).toBe(200);
    await f.tokens.revoke(created.id);
    const revoked = await f.server.inject({
      method: 'GET',
      url: '/api/v1/applications',
      headers: bearer(created.secret),
    });
    expect(revoked.statusCode).toBe(401);
  });

  it("answers 403 outside a token's cluster limit, in both APIs", async () => {
    const secret = await f.token(['applications:create', 'applications:read'], { clusterIds: ['other'] });
    const native = await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: bearer(secret),
      payload: { clusterId: 'local', jobId: 'etl' },
    });
    expect(native.statusCode).toBe(403);
    expect(native.json().detail).toContain('clusters other');
    const ocean = await f.server.inject({
      method: 'POST',
      url: '/ocean/spark/cluster/local/app?accountId=act-1',
      headers: bearer(secret),
      payload: { jobId: 'etl' },
    });
    expect(ocean.statusCode).toBe(403);
    expect(ocean.json().response.errors[0].code).toBe('FORBIDDEN');
    const allowed = await f.server.inject({
      method: 'POST',
      url: '/ocean/spark/cluster/other/app?accountId=act-1',
      headers: bearer(secret),
      payload: { jobId: 'etl-other' },
    });
    expect(allowed.statusCode).toBe(200);
  });
});
