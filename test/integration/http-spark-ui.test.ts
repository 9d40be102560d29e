/**
 * The Spark UI proxy and its browser sign-in, over the HTTP fixture and a stand-in Spark UI
 * (real HTTP on 127.0.0.1 that records what it receives): who may see it, with a token or the
 * session cookie, what the driver gets and what the browser gets back, and the answers for an
 * application that is not running.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emptyRunMetrics } from '../../runtime/domain/metrics';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A stand-in for a driver's UI: / redirects to /jobs/ absolutely and without the proxy base (as
 * Spark's Jetty does), /environment to a path under the proxy base; pages are HTML.
 */
async function fakeSparkUi(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const base = '/api/v1/applications/ui-run/spark-ui';
    if (req.url === '/') {
      res.writeHead(302, { location: `http://${req.headers.host}/jobs/` });
      res.end();
      return;
    }
    if (req.url === '/environment') {
      res.writeHead(302, { location: `${base}/environment/` });
      res.end();
      return;
    }
    if (req.url?.startsWith('/jobs/')) {
      res.writeHead(200, { 'content-type': 'text/html;charset=utf-8', 'set-cookie': 'planted=1; Path=/' });
      res.end(`<html><title>ui-run - Spark Jobs</title><a href="${base}/stages/">Stages</a> ${req.url}</html>`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let f: HttpFixture;
let ui: Awaited<ReturnType<typeof fakeSparkUi>>;
let admin: Record<string, string>;

async function submit(appId: string, jobId = 'ui-job'): Promise<void> {
  const answer = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers: admin,
    payload: { clusterId: 'local', jobId, appId },
  });
  expect(answer.statusCode).toBe(201);
  await f.applications.idle();
}

async function run(appId: string): Promise<void> {
  await submit(appId);
  f.backend.emit(appId, { state: 'RUNNING', startedAt: '2026-03-01T00:00:01.000Z' });
  await f.applications.idle();
}

const get = (url: string, headers: Record<string, string> = {}) => f.server.inject({ method: 'GET', url, headers });

/** The cookie a browser would send after POST /api/v1/session with this token. */
async function signIn(secret: string): Promise<string> {
  const answer = await f.server.inject({ method: 'POST', url: '/api/v1/session', headers: bearer(secret) });
  expect(answer.statusCode).toBe(201);
  const cookie = answer.cookies.find((c) => c.path === '/api/v1/applications');
  return `sparkplane_ui=${cookie!.value}`;
}

beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
  ui = await fakeSparkUi();
  f.backend.sparkUiTarget = async (app) => (app.id === 'not-up' ? undefined : { url: ui.url });
  await run('ui-run');
});
afterAll(async () => {
  await f.server.close();
  await new Promise((resolve) => ui.server.close(resolve));
});
beforeEach(() => {
  ui.seen.length = 0;
});

describe('the Spark UI proxy', () => {
  it("serves the driver's pages and keeps its redirects under the proxy's path", async () => {
    const root = await get('/api/v1/applications/ui-run/spark-ui/', admin);
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/api/v1/applications/ui-run/spark-ui/jobs/');
    const jobs = await get('/api/v1/applications/ui-run/spark-ui/jobs/?id=3', admin);
    expect(jobs.statusCode).toBe(200);
    expect(jobs.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(jobs.body).toContain('ui-run - Spark Jobs');
    const prefixed = await get('/api/v1/applications/ui-run/spark-ui/environment', admin);
    expect(prefixed.headers.location).toBe('/api/v1/applications/ui-run/spark-ui/environment/');
    expect(ui.seen.map((s) => s.url)).toEqual(['/', '/jobs/?id=3', '/environment']);
  });

  it('never hands the caller’s token or cookie to the driver, nor lets the driver set a cookie', async () => {
    const cookie = await signIn(f.adminSecret);
    const answer = await get('/api/v1/applications/ui-run/spark-ui/jobs/', {
      ...admin,
      cookie,
      'x-sparkplane-upstream-agent': '1',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(ui.seen[0]?.headers.authorization).toBeUndefined();
    expect(ui.seen[0]?.headers.cookie).toBeUndefined();
    expect(Object.keys(ui.seen[0]!.headers).filter((h) => h.startsWith('x-sparkplane'))).toEqual([]);
  });

  it('serves the same UI under the Ocean path, for an application of that cluster only', async () => {
    const root = await get('/ocean/spark/cluster/local/app/ui-run/sparkUI/', admin);
    expect(root.headers.location).toBe('/ocean/spark/cluster/local/app/ui-run/sparkUI/jobs/');
    const ocean = await get('/ocean/spark/cluster/local/app/ui-run/sparkUI/jobs/', admin);
    expect(ocean.statusCode).toBe(200);
    expect(ocean.body).toContain('ui-run - Spark Jobs');
    const elsewhere = await get('/ocean/spark/cluster/other/app/ui-run/sparkUI/jobs/', admin);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().response.errors[0].code).toBe('RESOURCE_NOT_FOUND');
  });

  it('answers 401 without a token or cookie, and the answer of an unknown id to a token that may not see the app', async () => {
    const none = await get('/api/v1/applications/ui-run/spark-ui/jobs/');
    expect(none.statusCode).toBe(401);
    const otherJob = await f.token(['applications:read'], { jobIds: ['another-job'] });
    const hidden = await get('/api/v1/applications/ui-run/spark-ui/jobs/', bearer(otherJob));
    const unknown = await get('/api/v1/applications/no-such-app/spark-ui/jobs/', bearer(otherJob));
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().detail).toBe(unknown.json().detail.replace('no-such-app', 'ui-run'));
    const viaCookie = await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie: await signIn(otherJob) });
    expect(viaCookie.statusCode).toBe(404);
    expect(ui.seen).toEqual([]);
  });

  it('refuses paths that would climb out of the UI', async () => {
    for (const path of ['a%2F..%2Fb', 'jobs/..%5C..', 'jobs%2F']) {
      const answer = await get(`/api/v1/applications/ui-run/spark-ui/${path}`, admin);
      expect(answer.statusCode, path).toBe(400);
      expect(answer.json().errors[0].path, path).toBe('(path)');
    }
    // sent as is: inject, like browsers, resolves dot segments before sending
    const raw = createServer((req, res) => f.server.routing(req, res));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const send = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: (raw.address() as AddressInfo).port, path, headers: admin });
          req.on('response', (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      for (const path of ['jobs/../../../../clusters', '%2e%2e/%2E%2E/x', './jobs/']) {
        const answer = await send(`/api/v1/applications/ui-run/spark-ui/${path}`);
        expect(answer.status, path).toBe(400);
        expect(JSON.parse(answer.body).detail, path).toContain('is not allowed in a Spark UI path');
      }
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
    expect(ui.seen).toEqual([]);
  });

  it('answers 503 naming the UI when the driver does not answer', async () => {
    const target = f.backend.sparkUiTarget;
    f.backend.sparkUiTarget = async () => ({ url: 'http://127.0.0.1:1' });
    try {
      const answer = await get('/api/v1/applications/ui-run/spark-ui/jobs/', admin);
      expect(answer.statusCode).toBe(503);
      expect(answer.json().detail).toBe(
        'the Spark UI of application ui-run did not answer: its driver may be starting or stopping; try again',
      );
    } finally {
      f.backend.sparkUiTarget = target;
    }
  });
});

describe('the Spark UI session cookie', () => {
  it('is HttpOnly, SameSite=Strict, limited to the proxies’ paths, opaque, and expires', async () => {
    const answer = await f.server.inject({ method: 'POST', url: '/api/v1/session', headers: admin });
    expect(answer.statusCode).toBe(201);
    const body = answer.json();
    expect(body.paths).toEqual(['/api/v1/applications', '/ocean/spark/cluster', '/api/v1/session']);
    expect(Date.parse(body.expiresAt) - f.clock.now().getTime()).toBeGreaterThan(7 * 3600 * 1000);
    expect(answer.cookies.map((c) => c.path)).toEqual(body.paths);
    for (const cookie of answer.cookies) {
      expect(cookie).toMatchObject({ name: 'sparkplane_ui', httpOnly: true, sameSite: 'Strict', maxAge: 8 * 3600 });
      expect(cookie.value).not.toContain(f.adminSecret);
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('opens the UI with GET and HEAD, and nothing else: not other routes, not other methods', async () => {
    const cookie = await signIn(f.adminSecret);
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie })).statusCode).toBe(200);
    const head = await f.server.inject({
      method: 'HEAD',
      url: '/api/v1/applications/ui-run/spark-ui/jobs/',
      headers: { cookie },
    });
    expect(head.statusCode).toBe(200);
    const api = await get('/api/v1/applications/ui-run', { cookie });
    expect(api.statusCode).toBe(401);
    expect(api.json().detail).toContain('a session cookie is accepted only by GET and HEAD of the Spark UI proxy');
    const post = await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications/ui-run/spark-ui/jobs/job/kill/?id=1',
      headers: { cookie },
    });
    expect(post.statusCode).toBe(404);
    const kill = await f.server.inject({ method: 'DELETE', url: '/api/v1/applications/ui-run', headers: { cookie } });
    expect(kill.statusCode).toBe(401);
    expect(ui.seen.map((s) => s.method)).toEqual(['GET', 'HEAD']);
    expect((await f.applications.get('ui-run')).state).toBe('RUNNING');
  });

  it('is sent by a browser to the sign-out, which ends it on the server too', async () => {
    const answer = await f.server.inject({ method: 'POST', url: '/api/v1/session', headers: admin });
    // RFC 6265 path-match: the cookie path is the request path, or a prefix of it ending at a "/"
    const sentTo = (path: string) =>
      answer.cookies.filter((c) => path === c.path || path.startsWith(c.path!.endsWith('/') ? c.path! : `${c.path}/`));
    expect(sentTo('/api/v1/sessions')).toEqual([]);
    const sent = sentTo('/api/v1/session');
    expect(sent.map((c) => c.name)).toEqual(['sparkplane_ui']);
    const cookie = `sparkplane_ui=${sent[0]!.value}`;
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie })).statusCode).toBe(200);
    // what the dashboard's sign-out sends: the bearer token and the cookies the browser has for the path
    const out = await f.server.inject({ method: 'DELETE', url: '/api/v1/session', headers: { ...admin, cookie } });
    expect(out.statusCode).toBe(204);
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie })).statusCode).toBe(401);
  });

  it('stops working on sign-out, when its token is revoked, and once it expires', async () => {
    const cookie = await signIn(f.adminSecret);
    const out = await f.server.inject({ method: 'DELETE', url: '/api/v1/session', headers: { ...admin, cookie } });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.every((c) => c.value === '' && c.maxAge === 0)).toBe(true);
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie })).statusCode).toBe(401);

    const token = await f.tokens.create({ name: 'short-lived', scopes: ['applications:read'] });
    const revokedCookie = await signIn(token.secret);
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie: revokedCookie })).statusCode).toBe(200);
    await f.tokens.revoke(token.id);
    expect((await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie: revokedCookie })).statusCode).toBe(401);

    const expiring = await signIn(f.adminSecret);
    f.clock.advance(8 * 3600 * 1000);
    const expired = await get('/api/v1/applications/ui-run/spark-ui/jobs/', { cookie: expiring });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('sign in again with POST /api/v1/session');
  });
});

describe('an application that is not running', () => {
  it('answers 409 while it waits, saying why', async () => {
    await submit('ui-waiting');
    f.backend.emit('ui-waiting', { state: 'PENDING', reason: 'waiting for a node with 4 free cores' });
    await f.applications.idle();
    const answer = await get('/api/v1/applications/ui-waiting/spark-ui/', admin);
    expect(answer.statusCode).toBe(409);
    expect(answer.json().detail).toBe(
      'application ui-waiting is PENDING: its Spark UI opens once its driver runs; it waits because waiting for a node with 4 free cores',
    );
  });

  it('answers 409 while it runs but its UI is not up yet', async () => {
    await run('not-up');
    const answer = await get('/api/v1/applications/not-up/spark-ui/', admin);
    expect(answer.statusCode).toBe(409);
    expect(answer.json().detail).toMatch(/^application not-up runs, but its Spark UI is not up yet/);
  });

  it('answers 404 once it ended, with the run in the History Server when one is configured', async () => {
    await run('ui-ended');
    f.backend.emit('ui-ended', { state: 'COMPLETED', endedAt: '2026-03-01T00:10:00.000Z' });
    await f.applications.idle();
    const unconfigured = await get('/api/v1/applications/ui-ended/spark-ui/', admin);
    expect(unconfigured.statusCode).toBe(404);
    expect(unconfigured.json().detail).toContain('no Spark History Server is configured');

    f.backend.historyServerUrl = 'https://history.example.com/';
    try {
      await f.store.updateApplication('ui-ended', {
        metrics: { ...emptyRunMetrics(), sparkAppId: 'local-1767225600000' },
      });
      const answer = await get('/api/v1/applications/ui-ended/spark-ui/jobs/', admin);
      expect(answer.statusCode).toBe(404);
      expect(answer.json().detail).toMatch(
        /^application ui-ended ended COMPLETED at .*: its live Spark UI stopped with its driver; the run is in the Spark History Server: https:\/\/history\.example\.com\/history\/local-1767225600000\/$/,
      );
      const view = (await get('/api/v1/applications/ui-ended', admin)).json();
      expect(view.sparkUi).toEqual({ history: 'https://history.example.com/history/local-1767225600000/' });
      const running = (await get('/api/v1/applications/ui-run', admin)).json();
      expect(running.sparkUi).toEqual({ live: '/api/v1/applications/ui-run/spark-ui/' });
    } finally {
      f.backend.historyServerUrl = undefined;
    }
  });
});
