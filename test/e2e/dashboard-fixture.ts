/**
 * What the dashboard tests share: a real runtime with finished Spark runs of two jobs on two
 * clusters (several runs each, one failed, one killed while running, submitted by two users with
 * two labels), built once per test file; and a browser (Debian's Chromium) with helpers for the
 * token, axe-core and screenshots, or Debian's Firefox ESR.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import puppeteer, { type Browser as BiDiBrowser } from 'puppeteer-core';
import { expect } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import { REPOSITORY, SLEEPER_SCRIPT, waitFor, writeScript } from '../support/spark';
import { call, type Service, startService, waitForEnd } from './service-fixture';

export const CHROMIUM = process.env.SPARKPLANE_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.SPARKPLANE_FIREFOX ?? '/usr/bin/firefox-esr';
export const SCREENSHOTS = join(REPOSITORY, '.sparkplane', 'screenshots');
export const VIEWPORT = { width: 1366, height: 768 };
/** The History Server the fixture's runtime links ended runs to. */
export const HISTORY_SERVER_URL = 'http://127.0.0.1:18080';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh --test (or set SPARKPLANE_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core: playwright-core drives only
 * Playwright's own build of Firefox.
 */
export async function launchFirefox(): Promise<BiDiBrowser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`Firefox not found at ${FIREFOX}: run scripts/setup.sh --test (or set SPARKPLANE_FIREFOX)`);
  }
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, defaultViewport: VIEWPORT });
}

/** A browser context signed in with `token` (in sessionStorage, as the sign-in page keeps it). */
export async function signedIn(
  browser: Browser,
  token: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: options.colorScheme ?? 'light' });
  await context.addInitScript({ content: `sessionStorage.setItem('sparkplane.token', ${JSON.stringify(token)})` });
  return context;
}

/** Runs axe-core in the page: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: axe.source });
  // a string: the test is compiled without the DOM's types
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)) as string[];
  expect(violations, `accessibility of ${name}`).toEqual([]);
}

/** What has the keyboard's focus, and whether the page shows it (its :focus-visible outline). */
interface Focused {
  description: string;
  shown: boolean;
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until the focused element matches `selector`, checking
 * at every stop that the focus is shown; throws after `limit` presses.
 */
export async function tabTo(page: Page, selector: string, options: { backwards?: boolean; limit?: number } = {}) {
  const limit = options.limit ?? 60;
  for (let presses = 0; presses <= limit; presses++) {
    // a string: the test is compiled without the DOM's types
    const focused = (await page.evaluate(`(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return undefined;
      const style = getComputedStyle(e);
      return {
        matches: e.matches(${JSON.stringify(selector)}),
        description: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40) + '"',
        shown: e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      };
    })()`)) as (Focused & { matches: boolean }) | undefined;
    if (focused) {
      expect(focused.shown, `the focus on ${focused.description} is visible`).toBe(true);
      if (focused.matches) return;
    }
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} was not reached in ${limit} presses of Tab`);
}

/** `fullPage`: the whole page, below the fold too. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? false });
}

export interface DashboardData {
  service: Service;
  /** Tokens (secrets) of the two users that submitted the runs, and a read-only one. */
  alice: string;
  bob: string;
  reader: string;
  /** Every run of the fixture by role. */
  runs: { etl: Application[]; report: Application[]; failed: Application; killed: Application };
}

const ETL = ['import sys', 'from pyspark.sql import SparkSession', 'spark = SparkSession.builder.getOrCreate()'];

/**
 * Two jobs: `dash-etl` on cluster `local` (3 runs by alice one after the other, label team=etl, the
 * job config setting 2 cores and shuffle partitions, tuned: the tuner cuts the cores after run 1 and
 * predicts run 2; the last run with an override that changes the config) and `dash-report` on
 * cluster `edge` (a run by bob, team=ml, then a failed run and a run killed while running).
 */
export async function dashboardData(): Promise<DashboardData> {
  const service = await startService({
    // room for dash-etl's first run at 2 cores, which the tuner then cuts
    localSettings: { maxParallelism: 2 },
    // only linked from the pages, never requested: ended runs get their History Server link
    historyServerUrl: HISTORY_SERVER_URL,
    extraClusters: [{ id: 'edge', settings: { maxParallelism: 1 }, region: 'eu-west-1' }],
  });
  const token = async (name: string, scopes: string[]) =>
    (await call<{ secret: string }>(service.url, 'POST', '/api/v1/tokens', { body: { name, scopes } })).body.secret;
  const alice = await token('alice', ['applications:create', 'applications:read', 'applications:kill']);
  const bob = await token('bob', ['applications:create', 'applications:read']);
  const reader = await token('reader', ['applications:read']);
  const scripts = join(service.dataDir, 'scripts');
  const out = join(service.dataDir, 'out');
  const writer = writeScript(
    scripts,
    'write.py',
    [
      ...ETL,
      `path = "${out}/" + sys.argv[1]`,
      'spark.range(20000).selectExpr("id", "id % 7 as k").write.mode("overwrite").parquet(path)',
      'print("rows", spark.read.parquet(path).groupBy("k").count().count(), flush=True)',
    ].join('\n'),
  );
  const failing = writeScript(
    scripts,
    'failing.py',
    [...ETL, 'spark.range(10).count()', 'raise ValueError("no input rows for 2026-12-01")'].join('\n'),
  );
  const sleeper = writeScript(scripts, 'sleeper.py', SLEEPER_SCRIPT);
  const small = { driver: { cores: 1, memory: '512m' }, executor: { instances: 1, cores: 1, memory: '512m' } };

  const put = await call(service.url, 'PUT', '/api/v1/jobs/dash-etl/config', {
    body: {
      id: 'dash-etl',
      clusterId: 'local',
      // over-provisioned for its data (local[2]): the tuner's resource search has a cut to predict
      config: { executor: { cores: 2 }, sparkConf: { 'spark.sql.shuffle.partitions': '4' } },
      // pin: [] lets the tuner change the job's own values; the overrides stay pinned
      tuning: { mode: 'auto', pin: [] },
    },
  });
  expect(put.status, put.text).toBe(200);
  const submit = async (secret: string, clusterId: string, jobId: string, overrides: Record<string, unknown>) => {
    const response = await call<Application>(service.url, 'POST', '/api/v1/applications', {
      token: secret,
      body: { clusterId, jobId, configOverrides: { type: 'Python', ...small, ...overrides } },
    });
    expect(response.status, response.text).toBe(201);
    return response.body;
  };
  const etl = (n: number, extra: Record<string, unknown> = {}) =>
    submit(alice, 'local', 'dash-etl', {
      mainApplicationFile: writer,
      arguments: [`etl-${n}`],
      labels: { team: 'etl' },
      // the cores come from the job config, for the tuner to change
      executor: { instances: 1, memory: '512m' },
      ...extra,
    });
  // edge runs one application at a time, beside the etl runs, which follow one another
  const report1 = await submit(bob, 'edge', 'dash-report', {
    mainApplicationFile: writer,
    arguments: ['report'],
    labels: { team: 'ml' },
  });
  const etl1 = await etl(1);
  const failedRun = await submit(bob, 'edge', 'dash-report', { mainApplicationFile: failing, labels: { team: 'ml' } });
  // each etl run submitted once the one before ended, so that the tuner applies what it learnt to runs 2 and 3
  await waitForEnd(service.url, etl1.id);
  const etl2 = await etl(2);
  await waitForEnd(service.url, etl2.id);
  const etl3 = await etl(3, { sparkConf: { 'spark.sql.shuffle.partitions': '2' } });
  const ends = await Promise.all([report1, etl1, failedRun, etl2, etl3].map((a) => waitForEnd(service.url, a.id)));
  const killedRun = await submit(bob, 'edge', 'dash-report', { mainApplicationFile: sleeper, labels: { team: 'ml' } });
  await waitFor(
    'the sleeper to run',
    async () =>
      (await call<Application>(service.url, 'GET', `/api/v1/applications/${killedRun.id}`)).body.state === 'RUNNING',
  );
  await call(service.url, 'DELETE', `/api/v1/applications/${killedRun.id}`);
  const killed = await waitForEnd(service.url, killedRun.id);
  expect(ends.map((a) => a.state)).toEqual(['COMPLETED', 'COMPLETED', 'FAILED', 'COMPLETED', 'COMPLETED']);
  expect(killed.state).toBe('KILLED');
  return {
    service,
    alice,
    bob,
    reader,
    runs: { etl: [ends[1]!, ends[3]!, ends[4]!], report: [ends[0]!, ends[2]!, killed], failed: ends[2]!, killed },
  };
}
