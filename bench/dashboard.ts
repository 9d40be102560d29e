/**
 * The dashboards over a large store: 200,000 ended applications (with metrics) of 2,000 jobs on 5
 * clusters. Through the real HTTP server it times the API calls of three pages, each against a
 * bare indexed SQL query of the same rows served by the same server in the same run (the
 * baseline, bench/dashboard/bare-queries.ts):
 *   - Applications: the first page of one cluster's applications in one state, by cost;
 *   - Job: GET /jobs/{id} and /jobs/{id}/statistics, as the page sends them (together);
 *   - Costs: 30 days by job.
 * then the first meaningful paint of the three pages in Chromium (bench/dashboard-paint.ts).
 *   npm run bench:dashboard [-- --repetitions 30]
 * Measures a SQLite file; with BENCH_DATABASE_URL=postgres://... (a role that may CREATE
 * DATABASE), a fresh PostgreSQL database too, in the same run. Builds the dashboards first when
 * runtime/ui/dist is missing. Ratio = median API time / median bare time of the same rows; p95
 * is the API's. Last line, the worst of each over the pages and stores:
 *   dashboard api/bare ratio=<r> p95=<ms>ms paint=<ms>ms
 * (targets: ratio <= 3, p95 <= 150 ms, paint <= 1,500 ms).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measurePaint } from './dashboard-paint';
import { freshPostgres } from './fresh-postgres';
import { jobId } from './dashboard/fill';

const { values } = parseArgs({ options: { repetitions: { type: 'string', default: '30' } } });
const repetitions = Number(values.repetitions);
const WARM_UP = 5;
const CLUSTERS = ['prod-us', 'prod-eu', 'staging', 'dev', 'ml'];
const DAY_MS = 86_400_000;

interface Listening {
  port: number;
  token: string;
  store: string;
  fill: { applications: number; labels: number; jobs: number; indexMs: number; ms: number };
}

interface PageFigures {
  page: string;
  apiMedianMs: number;
  apiP95Ms: number;
  bareMedianMs: number;
  ratio: number;
}

interface StoreFigures {
  store: string;
  ratio: number;
  p95: number;
  paint: number;
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** GETs `path` and reads the whole body; returns the milliseconds taken and the parsed body. */
async function timedGet(base: string, token: string, path: string): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) };
}

type Items = { items: { id?: string; job_id?: string; applications?: number | string }[] };

/** One page's API calls and its bare query at repetition i, and a check that both read the same rows. */
interface PageCase {
  page: string;
  api(i: number): Promise<{ ms: number; body: unknown }>;
  bare(i: number): Promise<{ ms: number; body: unknown }>;
  check(api: unknown, bare: unknown): string | undefined;
}

function cases(base: string, token: string, jobs: number): PageCase[] {
  const get = (path: string) => timedGet(base, token, path);
  const tomorrow = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const range = `from=${new Date(tomorrow - 30 * DAY_MS).toISOString()}&to=${new Date(tomorrow).toISOString()}`;
  const cluster = (i: number) => CLUSTERS[i % CLUSTERS.length]!;
  const state = (i: number) => (i % 2 === 0 ? 'COMPLETED' : 'FAILED');
  const job = (i: number) => jobId((i * 37) % jobs);
  return [
    {
      page: 'applications',
      api: (i) => get(`/api/v1/applications?clusterId=${cluster(i)}&state=${state(i)}&sort=cost&limit=25`),
      bare: (i) => get(`/bench/bare/applications?clusterId=${cluster(i)}&state=${state(i)}&limit=25`),
      check: (api, bare) => {
        const [a, b] = [(api as Items).items, (bare as Items).items];
        return a.length === 25 && a[0]?.id === b[0]?.id && a[24]?.id === b[24]?.id
          ? undefined
          : `the API's first page (${a[0]?.id} .. ${a[24]?.id}) is not the bare query's (${b[0]?.id} .. ${b[24]?.id})`;
      },
    },
    {
      page: 'job',
      api: async (i) => {
        const started = performance.now();
        const [detail, statistics] = await Promise.all([
          get(`/api/v1/jobs/${job(i)}`),
          get(`/api/v1/jobs/${job(i)}/statistics`),
        ]);
        return { ms: performance.now() - started, body: { detail: detail.body, statistics: statistics.body } };
      },
      bare: (i) => get(`/bench/bare/jobs/${job(i)}`),
      check: (api, bare) => {
        const { statistics } = api as { statistics: { series: unknown[] } };
        const runs = (bare as Items).items.filter((row) => row.job_id !== undefined).length;
        // the series has every measured run; the fill measured them all
        return statistics.series.length === runs
          ? undefined
          : `the series has ${statistics.series.length} runs, the job ${runs}`;
      },
    },
    {
      page: 'costs',
      api: () => get(`/api/v1/costs?${range}&groupBy=job&top=10`),
      bare: () => get(`/bench/bare/costs?${range}`),
      check: (api, bare) => {
        const total = (api as { total: { applications: number } }).total.applications;
        const counted = (bare as Items).items.reduce((sum, row) => sum + Number(row.applications), 0);
        return total === counted ? undefined : `the API counts ${total} applications, the bare query ${counted}`;
      },
    },
  ];
}

async function measurePage(each: PageCase): Promise<PageFigures> {
  const api: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < WARM_UP + repetitions; i++) {
    // alternated, so that a pause of the machine weighs on both
    const a = await each.api(i);
    const b = await each.bare(i);
    if (i === 0) {
      const problem = each.check(a.body, b.body);
      if (problem !== undefined) throw new Error(`${each.page}: ${problem}`);
    }
    if (i < WARM_UP) continue;
    api.push(a.ms);
    bare.push(b.ms);
  }
  const apiMedianMs = quantile(api, 0.5);
  const bareMedianMs = quantile(bare, 0.5);
  return {
    page: each.page,
    apiMedianMs,
    apiP95Ms: quantile(api, 0.95),
    bareMedianMs,
    ratio: apiMedianMs / bareMedianMs,
  };
}

async function benchStore(databaseUrl?: string): Promise<StoreFigures> {
  const env = { ...process.env };
  delete env.BENCH_DATABASE_URL;
  if (databaseUrl !== undefined) env.BENCH_DATABASE_URL = databaseUrl;
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./dashboard/server.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  const exit = once(server, 'exit');
  try {
    const listening = once(createInterface({ input: server.stdout! }), 'line').then(([line]) => line as string);
    const line = await Promise.race([listening, exit.then(() => undefined)]);
    if (line === undefined) throw new Error(`its server exited (code ${server.exitCode}) before it listened`);
    const { port, token, store, fill } = JSON.parse(line) as Listening;
    const base = `http://127.0.0.1:${port}`;
    console.log(
      `store=${store}: filled ${fill.applications} applications (${fill.labels} labels) of ${fill.jobs} jobs in ${(fill.ms / 1000).toFixed(1)}s (indexes ${(fill.indexMs / 1000).toFixed(1)}s); ${repetitions} repetitions`,
    );
    const pages: PageFigures[] = [];
    for (const each of cases(base, token, fill.jobs)) {
      const figures = await measurePage(each);
      pages.push(figures);
      console.log(
        `  ${figures.page.padEnd(12)} api median=${figures.apiMedianMs.toFixed(1)}ms p95=${figures.apiP95Ms.toFixed(1)}ms  bare median=${figures.bareMedianMs.toFixed(1)}ms  ratio=${figures.ratio.toFixed(2)}`,
      );
    }
    const paint = await measurePaint(base, token);
    console.log(
      `  first meaningful paint: applications=${paint.applicationsMs}ms job=${paint.jobMs}ms costs=${paint.costsMs}ms`,
    );
    return {
      store,
      ratio: Math.max(...pages.map((p) => p.ratio)),
      p95: Math.max(...pages.map((p) => p.apiP95Ms)),
      paint: Math.max(paint.applicationsMs, paint.jobMs, paint.costsMs),
    };
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    await exit;
  }
}

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../runtime/ui/dist/index.html', import.meta.url)))) {
  console.log('building the dashboards (npm run build:ui): runtime/ui/dist is missing');
  const built = spawnSync('npm', ['run', 'build:ui'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build:ui failed (exit code ${built.status})`);
}

const figures: StoreFigures[] = [figuresLine(await benchStore())];
const postgresUrl = process.env.BENCH_DATABASE_URL;
if (postgresUrl !== undefined && postgresUrl !== '') {
  const database = await freshPostgres(postgresUrl, 'sparkplane_dashbench');
  try {
    figures.push(figuresLine(await benchStore(database.url)));
  } finally {
    await database.drop();
  }
}

function figuresLine(each: StoreFigures): StoreFigures {
  console.log(
    `dashboard ${each.store} api/bare ratio=${each.ratio.toFixed(2)} p95=${Math.round(each.p95)}ms paint=${each.paint}ms`,
  );
  return each;
}

const worst = (key: 'ratio' | 'p95' | 'paint') => Math.max(...figures.map((f) => f[key]));
console.log(
  `dashboard api/bare ratio=${worst('ratio').toFixed(2)} p95=${Math.round(worst('p95'))}ms paint=${worst('paint')}ms`,
);
