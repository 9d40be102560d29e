/**
 * The live Spark UI of a real running application, through the runtime's proxy over real HTTP:
 * with a bearer token and with the browser session cookie, refused without either, hidden from a
 * token that may not see the application, read-only; after the run ends, the proxy points to the
 * run in the History Server. The PySpark application runs until the test writes its stop file,
 * so nothing depends on how long a step takes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import { sparkEnv, waitFor, writeScript } from '../support/spark';
import { ADMIN_TOKEN, call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv(); // fails first, naming what is missing, when the Spark environment is not loaded

const HISTORY = 'https://spark-history.example.com';
const CHROMIUM = process.env.SPARKPLANE_CHROMIUM ?? '/usr/bin/chromium';
const APP = 'spark-ui-e2e-1';
const UI = `/api/v1/applications/${APP}/spark-ui`;

let service: Service;
let stopFile: string;

/** A GET that does not follow redirects, with these headers. */
async function fetchRaw(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(new URL(path, service.url), { method, headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Follows redirects as a browser would, but fails when one leaves the proxy's path. */
async function browse(path: string, headers: Record<string, string>) {
  let current = path;
  for (let hops = 0; hops < 5; hops++) {
    const answer = await fetchRaw(current, headers);
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status >= 400 || !location) return { ...answer, path: current };
    expect(location.startsWith(`${UI}/`), `redirect to ${location}`).toBe(true);
    current = location;
  }
  throw new Error(`more than 5 redirects from ${path}`);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  service = await startService({ historyServerUrl: HISTORY });
  stopFile = join(service.dataDir, 'stop-spark-ui-e2e');
  const script = writeScript(
    join(service.dataDir, 'scripts'),
    'ui.py',
    [
      'import os, time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'print("ready", spark.range(1000).selectExpr("sum(id)").collect()[0][0], flush=True)',
      `while not os.path.exists(${JSON.stringify(stopFile)}):`,
      '    time.sleep(0.2)',
    ].join('\n'),
  );
  const submitted = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: {
      clusterId: 'local',
      jobId: 'spark-ui-e2e',
      appId: APP,
      configOverrides: { type: 'Python', mainApplicationFile: script, driver: { cores: 1 } },
    },
  });
  expect(submitted.status, submitted.text).toBe(201);
});

afterAll(async () => {
  if (stopFile && !existsSync(stopFile)) writeFileSync(stopFile, '');
  await service?.close();
});

describe('the live Spark UI of a running application', () => {
  it('loads through the proxy with the bearer token, its redirects staying under the proxy', async () => {
    await waitFor(
      'the application to print ready',
      async () => /^ready 499500$/m.test((await call(service.url, 'GET', `/api/v1/applications/${APP}/log`)).text),
      180_000,
    );
    const jobs = await waitFor('the Spark UI to answer through the proxy', async () => {
      const page = await browse(`${UI}/`, bearer(ADMIN_TOKEN));
      return page.status === 200 ? page : undefined;
    });
    expect(jobs.path).toBe(`${UI}/jobs/`);
    expect(jobs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(jobs.text).toContain(`${APP} - Spark Jobs`);
    // the page's links come back through the proxy (spark.ui.proxyBase)
    expect(jobs.text).toContain(`href="${UI}/stages/"`);
    expect(jobs.text).not.toMatch(/href="\/jobs\//);

    // Spark's own REST API through the same proxy: the one application this driver runs
    const api = await fetchRaw(`${UI}/api/v1/applications`, bearer(ADMIN_TOKEN));
    expect(api.status).toBe(200);
    const apps = JSON.parse(api.text) as { id: string; name: string }[];
    expect(apps.map((a) => a.name)).toEqual([APP]);

    const view = await call<Application>(service.url, 'GET', `/api/v1/applications/${APP}`);
    expect(view.body.state).toBe('RUNNING');
    expect(view.body.sparkUi).toEqual({ live: `${UI}/` });
  });

  it('loads the same with the session cookie alone, and under the Ocean path', async () => {
    const signIn = await fetch(new URL('/api/v1/session', service.url), {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(signIn.status).toBe(201);
    const cookies = signIn.headers.getSetCookie();
    // one cookie per path it is sent to: the two proxies and sign-out (SESSION_COOKIE_PATHS)
    expect(cookies.map((c) => /; Path=([^;]+)/.exec(c)?.[1]).sort()).toEqual([
      '/api/v1/applications',
      '/api/v1/session',
      '/ocean/spark/cluster',
    ]);
    for (const cookie of cookies) expect(cookie).toMatch(/; HttpOnly/);
    const cookie = cookies[0]!.split(';')[0]!;
    const jobs = await browse(`${UI}/`, { cookie });
    expect(jobs.status).toBe(200);
    expect(jobs.text).toContain(`${APP} - Spark Jobs`);
    const ocean = await browse(`/ocean/spark/cluster/local/app/${APP}/sparkUI/jobs/`, bearer(ADMIN_TOKEN));
    expect(ocean.status).toBe(200);
    expect(ocean.text).toContain(`${APP} - Spark Jobs`);

    // the cookie opens nothing else: not the API, not a POST through the proxy
    const api = await fetchRaw(`/api/v1/applications/${APP}`, { cookie });
    expect(api.status).toBe(401);
    const post = await fetchRaw(`${UI}/jobs/job/kill/?id=0`, { cookie }, 'POST');
    expect(post.status).toBe(404);
    expect((await call<Application>(service.url, 'GET', `/api/v1/applications/${APP}`)).body.state).toBe('RUNNING');

    // signed out: the cookie stops working
    const out = await fetch(new URL('/api/v1/session', service.url), {
      method: 'DELETE',
      headers: { ...bearer(ADMIN_TOKEN), cookie },
    });
    expect(out.status).toBe(204);
    expect((await fetchRaw(`${UI}/jobs/`, { cookie })).status).toBe(401);
  });

  it('is refused without a token or cookie, and hidden from a token that may not see the application', async () => {
    const none = await fetchRaw(`${UI}/jobs/`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).code).toBe('UNAUTHENTICATED');
    const created = await call<{ secret: string }>(service.url, 'POST', '/api/v1/tokens', {
      body: { name: 'other-job-reader', scopes: ['applications:read'], jobIds: ['another-job'] },
    });
    expect(created.status).toBe(201);
    const hidden = await fetchRaw(`${UI}/jobs/`, bearer(created.body.secret));
    expect(hidden.status).toBe(404);
    expect(JSON.parse(hidden.text).detail).toBe(`Couldn't find application with ID: ${APP}`);
  });
});

describe('the live Spark UI in a browser', () => {
  it('opens from a link after sign-in, its scripts reading Spark through the proxy with the cookie', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const refused: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${service.url}/healthz`);
      // what the dashboards do with the token they keep: sign the browser in, then follow a plain link
      const status = await page.evaluate(
        async (token) =>
          (await fetch('/api/v1/session', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status,
        ADMIN_TOKEN,
      );
      expect(status).toBe(201);
      await page.goto(`${service.url}${UI}/`);
      expect(new URL(page.url()).pathname).toBe(`${UI}/jobs/`);
      expect(await page.title()).toContain('Spark Jobs');
      // the executors page is drawn by scripts that call Spark's REST API under the proxy
      await page.getByRole('link', { name: 'Executors' }).click();
      await page.locator('#active-executors-table').getByText('driver', { exact: true }).waitFor({ timeout: 60_000 });
      expect(new URL(page.url()).pathname).toBe(`${UI}/executors/`);
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('after the run', () => {
  it('answers a problem giving the run in the History Server', async () => {
    writeFileSync(stopFile, '');
    const ended = await waitForEnd(service.url, APP);
    expect(ended.state, ended.stateReason).toBe('COMPLETED');
    const sparkAppId = ended.metrics?.sparkAppId;
    expect(sparkAppId).toMatch(/^local-\d+$/);
    const link = `${HISTORY}/history/${sparkAppId}/`;
    expect(ended.sparkUi).toEqual({ history: link });

    const gone = await fetchRaw(`${UI}/jobs/`, bearer(ADMIN_TOKEN));
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(gone.text).detail).toContain(`the run is in the Spark History Server: ${link}`);
  });
});
