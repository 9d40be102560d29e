/** The dashboards' static files at `/`: hashed assets cached for good, the shell never, the SPA fallback, no build -> 503. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

const dist = mkdtempSync(join(tmpdir(), 'sparkplane-ui-'));
const SHELL = '<!doctype html><title>sparkplane</title><div id="root"></div>';
let f: HttpFixture;
let bare: HttpFixture;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), SHELL);
  writeFileSync(join(dist, 'assets', 'index-3f2a1b.js'), 'console.log("ui")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  f = await httpFixture({ ui: { root: dist } });
  bare = await httpFixture({ ui: { root: join(dist, 'missing') } });
});

afterAll(async () => {
  await f?.server.close();
  await bare?.server.close();
  rmSync(dist, { recursive: true, force: true });
});

const html = { accept: 'text/html,application/xhtml+xml' };

describe('the dashboards at /', () => {
  it('serves the shell at / and at every page path that accepts HTML, never cached', async () => {
    for (const url of ['/', '/applications?state=RUNNING', '/jobs/daily-etl', '/index.html']) {
      const response = await f.server.inject({ method: 'GET', url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.body, url).toBe(SHELL);
    }
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const asset = await f.server.inject({ method: 'GET', url: '/assets/index-3f2a1b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await f.server.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('keeps the API, docs, metrics and health out of the fallback, and missing assets 404', async () => {
    const api = await f.server.inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: html });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    const ocean = await f.server.inject({ method: 'GET', url: '/ocean/spark/nothing', headers: html });
    expect(ocean.statusCode).toBe(404);
    const metrics = await f.server.inject({ method: 'GET', url: '/metrics', headers: html });
    expect(metrics.statusCode).toBe(404);
    const asset = await f.server.inject({ method: 'GET', url: '/assets/gone-123.js' });
    expect(asset.statusCode).toBe(404);
    const json = await f.server.inject({ method: 'GET', url: '/jobs', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    const escape = await f.server.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    expect(escape.body).not.toContain('root:');
    const health = await f.server.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('needs no token for the shell, and the API behind it still does', async () => {
    const shell = await f.server.inject({ method: 'GET', url: '/clusters', headers: html });
    expect(shell.statusCode).toBe(200);
    const data = await f.server.inject({ method: 'GET', url: '/api/v1/clusters' });
    expect(data.statusCode).toBe(401);
  });

  it('answers 503 saying how to build when there is no build, and the API still works', async () => {
    const response = await bare.server.inject({ method: 'GET', url: '/', headers: html });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toContain('npm run build:ui');
    const api = await bare.server.inject({
      method: 'GET',
      url: '/api/v1/clusters',
      headers: bearer(bare.adminSecret),
    });
    expect(api.statusCode).toBe(200);
  });

  it('is off with ui: false', async () => {
    const off = await httpFixture({ ui: false });
    try {
      expect((await off.server.inject({ method: 'GET', url: '/', headers: html })).statusCode).toBe(404);
      expect(off.server.routeTable.some((r) => r.url === '/*')).toBe(false);
    } finally {
      await off.server.close();
    }
  });
});

describe('GET /api/v1/whoami', () => {
  it('tells any valid token its own name, scopes and limits, never a secret', async () => {
    const secret = await f.token(['applications:read'], { clusterIds: ['local'] });
    const response = await f.server.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(secret) });
    expect(response.statusCode).toBe(200);
    const body = response.json() as Record<string, unknown>;
    expect(body).toMatchObject({ scopes: ['applications:read'], clusterIds: ['local'] });
    expect(body.name).toMatch(/^t\d+$/);
    expect(Object.keys(body).sort()).toEqual(['clusterIds', 'id', 'name', 'scopes']);
    const killer = await f.token(['applications:kill']);
    const kill = await f.server.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(killer) });
    expect(kill.json()).toMatchObject({ scopes: ['applications:kill'] });
  });

  it('answers 401 without a token or with an unknown one', async () => {
    expect((await f.server.inject({ method: 'GET', url: '/api/v1/whoami' })).statusCode).toBe(401);
    const wrong = await f.server.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer('spk_nope') });
    expect(wrong.statusCode).toBe(401);
  });
});
