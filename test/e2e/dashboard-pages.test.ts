/**
 * The dashboards in headless Chromium against a runtime with real finished Spark runs: every page
 * loads with data and passes axe-core, every filter and sort shows the rows the API gives for the
 * same query, paging reaches the last row, the job chart has one point per run, the configuration
 * names the source of every value, and a browser without a token sees only the sign-in. Then the
 * main pages once in Firefox.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measurePaint } from '../../bench/dashboard-paint';
import type { Application } from '../../runtime/domain/application';
import type { JobStatistics } from '../../runtime/domain/job-statistics';
import type { ApplicationTimeline } from '../../runtime/domain/timeline';
import { sparkEnv } from '../support/spark';
import {
  type DashboardData,
  dashboardData,
  expectAccessible,
  HISTORY_SERVER_URL,
  launchBrowser,
  launchFirefox,
  screenshot,
  SCREENSHOTS,
  signedIn,
  tabTo,
  VIEWPORT,
} from './dashboard-fixture';
import { call } from './service-fixture';

sparkEnv();

let data: DashboardData;
let browser: Browser;
let page: Page;
let url: string;

beforeAll(async () => {
  [data, browser] = await Promise.all([dashboardData(), launchBrowser()]);
  url = data.service.url;
  page = await (await signedIn(browser, data.service.adminToken)).newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await data?.service.close();
});

const rowIds = (p: Page) =>
  p.locator('tbody tr[data-app-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-app-id')));

const apiIds = async (query: string) => {
  const got = await call<{ items: Application[]; nextCursor?: string }>(
    url,
    'GET',
    `/api/v1/applications?limit=25&${query}`,
  );
  expect(got.status, got.text).toBe(200);
  return got.body.items.map((a) => a.id);
};

/** The part of a canvas element the test reads (the test is compiled without the DOM's types). */
interface InkedCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

const allIds = () => [...data.runs.etl, ...data.runs.report].map((a) => a.id);

describe('every page with data', () => {
  const pages: [name: string, path: () => string, ready: string][] = [
    ['applications', () => '/applications', 'tbody tr[data-app-id]'],
    ['application', () => `/applications/${data.runs.etl[2]!.id}`, 'tr[data-pointer]'],
    ['application-failed', () => `/applications/${data.runs.failed.id}`, '.problem'],
    ['jobs', () => '/jobs', 'tr[data-job-id="dash-etl"]'],
    ['job', () => '/jobs/dash-etl', 'canvas[data-points]'],
    ['clusters', () => '/clusters', 'tr[data-cluster-id="edge"]'],
    ['cluster', () => '/clusters/edge?window=7d', '#ended-title'],
    ['costs', () => '/costs', 'tr[data-group="dash-etl"]'],
    ['sessions', () => '/sessions', 'tbody td.empty'],
  ];
  for (const [name, path, ready] of pages) {
    it(`${name}: loads, shows its data, passes axe-core`, async () => {
      await page.goto(`${url}${path()}`);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      expect(await page.locator('[role=alert]').count(), await page.locator('main').innerText()).toBe(0);
      await expectAccessible(page, name);
      await screenshot(page, name);
    });
  }

  it('applications in dark mode: readable and accessible', async () => {
    const dark = await (await signedIn(browser, data.service.adminToken, { colorScheme: 'dark' })).newPage();
    await dark.goto(`${url}/applications`);
    await dark.locator('tbody tr[data-app-id]').first().waitFor();
    const background = await dark.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(17, 20, 24)');
    await expectAccessible(dark, 'applications (dark)');
    await screenshot(dark, 'applications-dark');
    await dark.goto(`${url}/jobs/dash-etl`);
    await dark.locator('canvas[data-points]').waitFor();
    await expectAccessible(dark, 'job (dark)');
    await screenshot(dark, 'job-dark');
    await dark.close();
  });

  it('the costs page shows what the API reports, and its CSV has one line per day and group', async () => {
    await page.goto(`${url}/costs`);
    await page.locator('tr[data-group]').first().waitFor();
    const groups = await page
      .locator('tr[data-group]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group')));
    expect(groups.sort()).toEqual(['dash-etl', 'dash-report']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const stream = await download.createReadStream();
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^day,job,cost/);
    // every run ended today (UTC): one line per job
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
    ).toEqual(['dash-etl', 'dash-report']);
    await page.selectOption('#group-by', 'user');
    await expect
      .poll(() =>
        page.locator('tr[data-group]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group')).sort()),
      )
      .toEqual(['alice', 'bob']);
  });
});

describe('the applications page', () => {
  it('shows, for each filter and sort, the rows the API gives for the same query', async () => {
    await page.goto(`${url}/applications`);
    await expect.poll(() => rowIds(page)).toEqual(await apiIds(''));
    expect((await rowIds(page)).sort()).toEqual(allIds().sort());
    const cases: [action: () => Promise<unknown>, query: string, expected?: string[]][] = [
      [() => page.selectOption('#filter-cluster', 'edge'), 'clusterId=edge', data.runs.report.map((a) => a.id)],
      [() => page.selectOption('#filter-cluster', ''), ''],
      [() => page.selectOption('#filter-state', 'FAILED'), 'state=FAILED', [data.runs.failed.id]],
      [() => page.selectOption('#filter-state', 'KILLED'), 'state=KILLED', [data.runs.killed.id]],
      [() => page.selectOption('#filter-state', ''), ''],
      [() => page.selectOption('#filter-type', 'session'), 'type=session', []],
      [() => page.selectOption('#filter-type', 'interactive'), 'type=session&type=notebook', []],
      [() => page.selectOption('#filter-type', 'batch'), 'type=batch', allIds()],
      [() => page.selectOption('#filter-type', ''), ''],
      [
        () => page.selectOption('#filter-range', '1h'),
        `from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
        allIds(),
      ],
      [() => page.selectOption('#filter-range', ''), ''],
    ];
    for (const sort of ['createdAt:asc', 'startedAt:desc', 'duration:desc', 'cost:desc', 'coreHours:desc']) {
      const [key, order] = sort.split(':');
      cases.push([() => page.selectOption('#sort', sort), `sort=${key}&order=${order}`]);
    }
    cases.push([() => page.selectOption('#sort', 'createdAt:desc'), '']);
    const text = (field: string, value: string) => async () => {
      await page.fill(`#filter-${field}`, value);
      await page.getByRole('button', { name: 'Apply' }).click();
    };
    cases.push(
      [text('job', 'dash-etl'), 'jobId=dash-etl', data.runs.etl.map((a) => a.id)],
      [text('job', ''), ''],
      [text('user', 'bob'), 'userId=bob', data.runs.report.map((a) => a.id)],
      [text('user', ''), ''],
      [text('label', 'team:etl'), 'label=team:etl', data.runs.etl.map((a) => a.id)],
      [text('label', ''), ''],
      [text('q', data.runs.failed.id.slice(-6)), `q=${data.runs.failed.id.slice(-6)}`, [data.runs.failed.id]],
      [text('q', ''), ''],
    );
    for (const [action, query, expected] of cases) {
      await action();
      const fromApi = await apiIds(query);
      if (expected) expect(fromApi.slice().sort(), query).toEqual(expected.slice().sort());
      await expect.poll(() => rowIds(page), { message: query || 'no filter' }).toEqual(fromApi);
    }
  });

  it('pages with the cursors to the last row and back, keeping them in the URL', async () => {
    const all = await apiIds('');
    await page.goto(`${url}/applications?limit=10`);
    await page.selectOption('#limit', '10');
    await page.goto(`${url}/applications?limit=10`);
    await expect.poll(() => rowIds(page)).toEqual(all.slice(0, 6));
    // two per page through the URL's own paging (the select offers 10 and up)
    await page.goto(`${url}/applications?limit=2`);
    const seen: string[] = [];
    for (let n = 1; ; n++) {
      await expect.poll(() => page.locator('.pager span').innerText()).toBe(`Page ${n}`);
      await expect.poll(async () => (await rowIds(page)).length).toBeGreaterThan(0);
      const ids = (await rowIds(page)) as string[];
      expect(ids).toEqual(all.slice(seen.length, seen.length + 2));
      seen.push(...ids);
      const next = page.getByRole('button', { name: 'Next' });
      if (await next.isDisabled()) break;
      await next.click();
    }
    expect(seen).toEqual(all);
    expect(new URL(page.url()).searchParams.getAll('page').length).toBe(2);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rowIds(page)).toEqual(all.slice(2, 4));
  });
});

describe('the job and application pages', () => {
  it('draws one point per run of the job, marking the run whose configuration changed', async () => {
    const stats = (await call<JobStatistics>(url, 'GET', '/api/v1/jobs/dash-etl/statistics')).body;
    // oldest end first: the runs of one cluster may end in another order than they were submitted
    expect(stats.series.map((p) => p.appId).sort()).toEqual(data.runs.etl.map((a) => a.id).sort());
    await page.goto(`${url}/jobs/dash-etl?a=durationMs&b=inputBytes`);
    const canvas = page.locator('canvas[data-points]');
    await canvas.waitFor();
    expect(await canvas.getAttribute('data-points')).toBe('3');
    expect(Number(await canvas.getAttribute('data-changed-points'))).toBe(
      stats.series.filter((p) => p.configChanges.length > 0).length,
    );
    expect(await page.locator('#metric-a').inputValue()).toBe('durationMs');
    await page.selectOption('#metric-b', 'cost');
    expect(new URL(page.url()).searchParams.get('b')).toBe('cost');
    expect(await page.locator('canvas[data-points]').getAttribute('data-points')).toBe('3');
  });

  it('names the source of every value of the effective configuration', async () => {
    const sources = async (app: Application) => {
      await page.goto(`${url}/applications/${app.id}`);
      await page.locator('tr[data-pointer]').first().waitFor();
      const rows = (await page
        .locator('tr[data-pointer]')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-pointer'),
            tr.querySelector('[data-source]')?.getAttribute('data-source'),
          ]),
        )) as [string, string][];
      expect(rows.length).toBeGreaterThan(5);
      for (const [pointer, source] of rows) {
        // a layer as the runtime's provenance names it, or a value no layer set (the runtime's own default)
        expect(source, pointer).toBe(app.provenance[pointer] ?? 'default');
      }
      // every leaf the provenance names has its row
      expect(Object.keys(app.provenance).filter((p) => !rows.some(([r]) => r === p))).toEqual([]);
      return Object.fromEntries(rows);
    };
    const first = await sources(data.runs.etl[0]!);
    expect(first['/sparkConf/spark.sql.shuffle.partitions']).toBe('job');
    expect(first['/executor/memory']).toBe('overrides');
    const last = await sources(data.runs.etl[2]!);
    expect(last['/sparkConf/spark.sql.shuffle.partitions']).toBe('overrides');
  });

  it("charts a run's jobs and stages, cores allocated and busy, and executor memory, and links its History Server", async () => {
    const app = data.runs.etl[2]!;
    const got = await call<ApplicationTimeline>(url, 'GET', `/api/v1/applications/${app.id}/timeline`);
    expect(got.status, got.text).toBe(200);
    const timeline = got.body;
    expect(timeline.live).toBe(false);
    expect(timeline.jobs.length).toBeGreaterThan(0);
    expect(timeline.cores.some((s) => s.busy > 0)).toBe(true);
    expect(timeline.executors.some((e) => e.peaks.jvmHeapBytes > 0 && e.requestedBytes > 0)).toBe(true);

    await page.goto(`${url}/applications/${app.id}`);
    const chart = page.locator('canvas[data-testid="timeline-chart"]');
    const cores = page.locator('canvas[data-testid="cores-chart"]');
    const memory = page.locator('canvas[data-testid="memory-chart"]');
    await memory.waitFor();
    expect(Number(await chart.getAttribute('data-jobs'))).toBe(Math.min(20, timeline.jobs.length));
    expect(Number(await chart.getAttribute('data-stages'))).toBeGreaterThan(0);
    expect(Number(await cores.getAttribute('data-steps'))).toBe(timeline.cores.length);
    expect(Number(await memory.getAttribute('data-executors'))).toBe(timeline.executors.length);
    // each chart drew something: pixels that are not transparent
    for (const canvas of [chart, cores, memory]) {
      const inked = await canvas.evaluate((c: InkedCanvas) => {
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let k = 3; k < pixels.length; k += 4) if (pixels[k]! > 0) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(1000);
    }
    const history = page.getByRole('link', { name: 'History Server' });
    expect(await history.getAttribute('href')).toBe(`${HISTORY_SERVER_URL}/history/${app.metrics!.sparkAppId}/`);
    expect(await history.getAttribute('rel')).toBe('noopener');
    expect(await history.getAttribute('target')).toBe('_blank');
    expect(await page.getByRole('link', { name: 'Spark UI' }).count()).toBe(0);
    // the local back-end has no Kubernetes: the events card says so, rather than staying empty
    await expect
      .poll(() => page.getByTestId('kube-events').innerText())
      .toContain('None: cluster local runs Spark without Kubernetes.');
    await expectAccessible(page, 'application-timeline');
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'application-timeline');
    await memory.scrollIntoViewIfNeeded();
    await screenshot(page, 'application-memory');
  });

  it("shows an application's events card and a job's tuning, held knobs and predictions below the fold", async () => {
    await page.goto(`${url}/applications/${data.runs.etl[2]!.id}`);
    const events = page.getByTestId('kube-events');
    await expect.poll(() => events.innerText()).toContain('None: cluster local runs Spark without Kubernetes.');
    await events.scrollIntoViewIfNeeded();
    await screenshot(page, 'application-events');
    await screenshot(page, 'application-full', { fullPage: true });
    await page.goto(`${url}/jobs/dash-etl`);
    const tuning = page.locator('section[aria-labelledby="tuning-title"]');
    await tuning.getByRole('heading', { name: 'Predicted and measured' }).waitFor();
    const held = tuning.locator('details.held');
    // the three runs are too few to move every knob: the tuner says which it holds and why
    await held.locator('summary').click();
    expect(await held.locator('li').count()).toBeGreaterThan(0);
    await held.scrollIntoViewIfNeeded();
    await screenshot(page, 'job-tuning');
    // runs 2 and 3 were tuned: each has its row of predicted beside measured
    const stats = (await call<JobStatistics>(url, 'GET', '/api/v1/jobs/dash-etl/statistics')).body;
    const predicted = stats.series.filter((p) => p.predicted !== undefined).map((p) => p.appId);
    expect(predicted.length).toBeGreaterThan(0);
    const predictions = tuning.locator('table', { hasText: 'Tuned runs: what the tuner predicted' });
    expect(await predictions.locator('tbody tr td:first-child').allInnerTexts()).toEqual(predicted);
    await predictions.scrollIntoViewIfNeeded();
    await screenshot(page, 'job-predictions');
    await screenshot(page, 'job-full', { fullPage: true });
  });

  it('measures the first meaningful paint of the applications, job and costs pages', async () => {
    const paint = await measurePaint(url, data.service.adminToken);
    for (const ms of Object.values(paint)) expect(ms).toBeGreaterThan(0);
  });
});

describe('with the keyboard only', () => {
  it('signs in, filters, sorts, pages, opens an application and its job, switches the chart and signs out, the focus always shown', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const kb = await context.newPage();
    const apiPage = async (query: string) =>
      (await call<{ items: Application[]; nextCursor?: string }>(url, 'GET', `/api/v1/applications?${query}`)).body;
    // a shared link: the sign-in comes first and leads back to it
    await kb.goto(`${url}/applications?limit=2`);
    await kb.getByLabel('API token').waitFor();
    await tabTo(kb, '#token');
    await kb.keyboard.type(data.alice);
    await kb.keyboard.press('Enter');
    await kb.locator('tbody tr[data-app-id]').first().waitFor();
    expect(new URL(kb.url()).search).toBe('?limit=2');

    // a select changes with the arrow keys, without opening: the clusters are edge, then local
    await tabTo(kb, '#filter-cluster');
    await kb.keyboard.press('ArrowDown');
    const edge = await apiPage('clusterId=edge&limit=2');
    await expect.poll(() => rowIds(kb)).toEqual(edge.items.map((a) => a.id));
    await tabTo(kb, '#sort');
    await kb.keyboard.press('ArrowDown');
    const oldest = await apiPage('clusterId=edge&sort=createdAt&order=asc&limit=2');
    await expect.poll(() => rowIds(kb)).toEqual(oldest.items.map((a) => a.id));
    expect(oldest.nextCursor).toBeDefined();

    await tabTo(kb, '.pager button:last-of-type');
    await screenshot(kb, 'keyboard-focus');
    await kb.keyboard.press('Enter');
    const second = await apiPage(`clusterId=edge&sort=createdAt&order=asc&limit=2&cursor=${oldest.nextCursor}`);
    await expect.poll(() => kb.locator('.pager span').innerText()).toBe('Page 2');
    await expect.poll(() => rowIds(kb)).toEqual(second.items.map((a) => a.id));

    // back up the table to the last row's application, then open it and its job
    await tabTo(kb, 'tbody tr[data-app-id] > td:first-child > a', { backwards: true });
    const opened = second.items.at(-1)!;
    await kb.keyboard.press('Enter');
    await kb.locator('#info-title').waitFor();
    expect(new URL(kb.url()).pathname).toBe(`/applications/${opened.id}`);
    await tabTo(kb, `main a[href="/jobs/${opened.jobId}"]`);
    await kb.keyboard.press('Enter');
    const chart = kb.locator('canvas[data-points]');
    await chart.waitFor();
    const points = await chart.getAttribute('data-points');
    await tabTo(kb, '#metric-b');
    const before = await kb.locator('#metric-b').inputValue();
    await kb.keyboard.press('ArrowDown');
    await expect.poll(() => new URL(kb.url()).searchParams.get('b')).not.toBe(before);
    expect(new URL(kb.url()).searchParams.get('b')).toBe(await kb.locator('#metric-b').inputValue());
    expect(await kb.locator('canvas[data-points]').getAttribute('data-points')).toBe(points);

    await tabTo(kb, 'header button', { backwards: true });
    expect(await kb.evaluate('document.activeElement.textContent')).toBe('Sign out');
    await kb.keyboard.press('Enter');
    await kb.getByLabel('API token').waitFor();
    expect(await kb.evaluate("sessionStorage.getItem('sparkplane.token')")).toBeNull();
    await context.close();
  });
});

describe('without a token', () => {
  it('shows the sign-in and requests no data; a wrong token stays out, the right one gets in', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const anonymous = await context.newPage();
    const requests: string[] = [];
    anonymous.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await anonymous.goto(`${url}/clusters?x=1`);
    await anonymous.getByLabel('API token').waitFor();
    expect(new URL(anonymous.url()).pathname).toBe('/sign-in');
    expect(requests.filter((p) => p.startsWith('/api/'))).toEqual([]);
    await expectAccessible(anonymous, 'sign-in');
    await screenshot(anonymous, 'sign-in');
    await anonymous.getByLabel('API token').fill('spk_not-a-token');
    await anonymous.getByRole('button', { name: 'Sign in' }).click();
    await anonymous.getByRole('alert').waitFor();
    expect(requests.filter((p) => p.startsWith('/api/') && p !== '/api/v1/whoami')).toEqual([]);
    await anonymous.getByLabel('API token').fill(data.reader);
    await anonymous.getByRole('button', { name: 'Sign in' }).click();
    await anonymous.locator('tr[data-cluster-id="edge"]').waitFor();
    expect(new URL(anonymous.url()).pathname).toBe('/clusters');
    // the Spark UI cookie the sign-in opened, as someone who copied it would send it
    await expect.poll(async () => (await context.cookies()).some((c) => c.name === 'sparkplane_ui')).toBe(true);
    const copied = (await context.cookies()).find((c) => c.name === 'sparkplane_ui')!.value;
    const sparkUi = (cookie: string) =>
      fetch(`${url}/api/v1/applications/${data.runs.etl[0]!.id}/spark-ui/`, {
        headers: { cookie },
        redirect: 'manual',
      });
    const before = await sparkUi(`sparkplane_ui=${copied}`);
    expect(before.status).not.toBe(401);
    await anonymous.getByRole('button', { name: 'Sign out' }).click();
    await anonymous.getByLabel('API token').waitFor();
    expect(await anonymous.evaluate("sessionStorage.getItem('sparkplane.token')")).toBeNull();
    // the sign-out ended the session on the server, not only the browser's cookie
    await expect.poll(async () => (await sparkUi(`sparkplane_ui=${copied}`)).status).toBe(401);
    await context.close();
  });
});

describe('in Firefox', () => {
  it('signs in, and the applications, an application, the job and the costs pages load with data, logging no error', async () => {
    const firefox = await launchFirefox();
    try {
      const tab = await firefox.newPage();
      const errors: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      tab.on('pageerror', (error) => errors.push(String(error)));
      await tab.goto(`${url}/applications`);
      await tab.waitForSelector('#token');
      await tab.type('#token', data.reader);
      await tab.keyboard.press('Enter');
      await tab.waitForSelector('tbody tr[data-app-id]');
      // the test is compiled without the DOM's types: the page's functions as strings
      const count = (selector: string) =>
        tab.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`) as Promise<number>;
      await expect.poll(() => count('tbody tr[data-app-id]')).toBe(allIds().length);

      // each page with its data: the run's stages, a chart point per run of the job, a row per job
      const attribute = (selector: string, name: string) =>
        tab.evaluate(`document.querySelector(${JSON.stringify(selector)}).getAttribute(${JSON.stringify(name)})`);
      const pages: [name: string, path: string, ready: string, check: () => Promise<void>][] = [
        [
          'application',
          `/applications/${data.runs.etl[2]!.id}`,
          'tr[data-pointer]',
          async () => expect(await count('tr[data-pointer]')).toBeGreaterThan(0),
        ],
        [
          'job',
          '/jobs/dash-etl',
          'canvas[data-points]',
          async () => expect(await attribute('canvas[data-points]', 'data-points')).toBe('3'),
        ],
        ['costs', '/costs', 'tr[data-group="dash-etl"]', async () => expect(await count('tr[data-group]')).toBe(2)],
      ];
      for (const [name, path, ready, check] of pages) {
        await tab.goto(`${url}${path}`);
        await tab.waitForSelector(ready, { timeout: 30_000 });
        expect(await count('[role=alert]'), name).toBe(0);
        await check();
        await tab.screenshot({ path: join(SCREENSHOTS, `firefox-${name}.png`) });
      }
      expect(errors).toEqual([]);
    } finally {
      await firefox.close();
    }
  }, 90_000);
});
