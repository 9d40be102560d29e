/**
 * Tuning on real Spark, through the real runtime (local back-end, SQLite):
 *   . .sparkplane/env.sh && npm run bench:tuning-real [-- --scale 1 --runs 5 --rounds 2 --grid 8 --only udf]
 * Three jobs of different shapes (examples/shuffle_aggregation.py: shuffle-heavy; examples/
 * udf_scoring.py: Python UDF-bound; examples/skewed_join.py: a join on a skewed key), each
 * generating its own input in the run. Each starts over-provisioned (local[8] on this machine,
 * 400 shuffle partitions, adaptive execution off) and the UDF job also under-provisioned (local[1]),
 * then runs `--runs` times as a job with tuning mode auto. Then, per shape, `--rounds` rounds: each
 * runs, in a newly shuffled order, every grid configuration (8 per shape) and each series' first
 * and last tuned configuration once, so that a change of the machine's load falls on all of them
 * alike. Every run of a shape must print the same checksum.
 * Per series, from the medians over the rounds: core-seconds and duration of the last configuration
 * against the first, and the last configuration's cost over the cheapest grid point's.
 * The last line: tuning-real core-seconds-cut=<p>% duration-change=<p>% run5/best-of-grid=<r>, the
 * least favourable over-provisioned series for the first two, the least favourable series for the
 * ratio. Targets: cut >= 50%, duration change <= +10%, ratio <= 1.15, the under-provisioned job
 * faster by its last run.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type LocalAppRecord, localAppPaths } from '../runtime/adapters/local';
import type { Application } from '../runtime/domain/application';
import type { ApplicationConfig } from '../runtime/domain/config';
import { call, type Service, startService, waitForEnd } from '../test/e2e/service-fixture';
import { sparkEnv } from '../test/support/spark';
import { mulberry32, seedOf } from './tuning/prng';

const { values } = parseArgs({
  options: {
    /** Multiplies every job's generated rows. */
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    /** Rounds of the grid and the first and last configurations, interleaved (>= 2: medians). */
    rounds: { type: 'string', default: '2' },
    /** How many of the 8 grid configurations to run (fewer only for a quick try: best-of-grid needs all). */
    grid: { type: 'string', default: '8' },
    /** Only the shapes named (comma-separated: shuffle,udf,join). */
    only: { type: 'string' },
  },
});
const scale = Number(values.scale);
const tunedRuns = Number(values.runs);
const rounds = Number(values.rounds);
if (!(scale > 0) || !(tunedRuns >= 2) || !(rounds >= 2)) {
  throw new Error(
    `--scale must be > 0, --runs >= 2, --rounds >= 2 (got ${values.scale}, ${values.runs}, ${values.rounds})`,
  );
}

interface Shape {
  name: string;
  what: string;
  file: string;
  arguments: (scale: number) => string[];
}

const rows = (n: number, s: number) => String(Math.max(1000, Math.round(n * s)));
const SHAPES: Shape[] = [
  {
    name: 'shuffle',
    what: 'shuffle-heavy aggregation',
    file: 'examples://shuffle_aggregation.py',
    arguments: (s) => [rows(1_000_000, s), '20000'],
  },
  {
    name: 'udf',
    what: 'Python UDF-bound scoring',
    file: 'examples://udf_scoring.py',
    arguments: (s) => [rows(100_000, s), '60'],
  },
  {
    name: 'join',
    what: 'join on a skewed key',
    file: 'examples://skewed_join.py',
    arguments: (s) => [rows(1_000_000, s), rows(200_000, s), '0.3'],
  },
];

const POOR_SHUFFLE = { 'spark.sql.shuffle.partitions': '400', 'spark.sql.adaptive.enabled': 'false' };
/** Starting points: one executor of 8 cores is local[8] (one JVM); of 1 core, local[1]. */
const TEMPLATES = {
  over: { executor: { instances: 1, cores: 8, memory: '4g' }, driver: { memory: '4g' }, sparkConf: POOR_SHUFFLE },
  under: { executor: { instances: 1, cores: 1, memory: '1g' }, driver: { memory: '1g' }, sparkConf: POOR_SHUFFLE },
} satisfies Record<string, ApplicationConfig>;

interface Series {
  shape: Shape;
  start: keyof typeof TEMPLATES;
}
const SERIES: Series[] = [
  ...SHAPES.map((shape) => ({ shape, start: 'over' as const })),
  { shape: SHAPES[1]!, start: 'under' },
];

/** 8 configurations per shape: 1, 2, 4 or 8 task slots, with a few or Spark's 200 partitions, adaptive on. */
const GRID: ApplicationConfig[] = [1, 2, 4, 8].flatMap((cores) =>
  ['8', '200'].map((partitions) => ({
    executor: { instances: 1, cores, memory: '1g' },
    driver: { memory: '1g' },
    sparkConf: { 'spark.sql.shuffle.partitions': partitions, 'spark.sql.adaptive.enabled': 'true' },
  })),
);

interface Measured {
  appId: string;
  master: string;
  coreSeconds: number;
  durationSeconds: number;
  cost: number;
  checksum: string;
  config: ApplicationConfig;
  changes: string[];
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)}%`;

async function measure(service: Service, body: Record<string, unknown>): Promise<Measured> {
  const submitted = await call<Application>(service.url, 'POST', '/api/v1/applications', { body });
  if (submitted.status !== 201) throw new Error(`submission refused: ${submitted.text}`);
  const app = await waitForEnd(service.url, submitted.body.id, 900_000);
  if (app.state !== 'COMPLETED' || !app.metrics) throw new Error(`${app.id} ended ${app.state}: ${app.stateReason}`);
  const log = await call(service.url, 'GET', `/api/v1/applications/${app.id}/log`);
  const checksum = /^checksum=(\d+)$/m.exec(log.text)?.[1];
  if (!checksum) throw new Error(`${app.id} printed no checksum`);
  const record = JSON.parse(readFileSync(localAppPaths(service.dataDir, app.id).stateFile, 'utf8')) as LocalAppRecord;
  return {
    appId: app.id,
    master: record.master,
    coreSeconds: app.metrics.executorCoreSeconds,
    durationSeconds: app.metrics.durationMs / 1000,
    cost: app.metrics.cost?.total ?? 0,
    checksum,
    config: app.config,
    changes: (app.tuningChanges ?? []).map((c) => c.reason),
  };
}

const seriesJob = (series: Series) => `bench-${series.shape.name}-${series.start}`;

/** The untuned job every fixed configuration (re-run or grid point) runs under, all of it in the overrides. */
const fixedJob = (shape: Shape) => `bench-${shape.name}-fixed`;

const program = (shape: Shape) => ({
  type: 'Python' as const,
  mainApplicationFile: shape.file,
  arguments: shape.arguments(scale),
});

/** The resource and shuffle values of a run's config, to re-run it as overrides. */
function resourcesOf(config: ApplicationConfig): ApplicationConfig {
  return { executor: config.executor, driver: config.driver, sparkConf: config.sparkConf };
}

const HEADER = `  ${'run'.padEnd(14)} ${'master'.padEnd(24)} ${'core-s'.padStart(7)} ${'dur-s'.padStart(8)} ${'cost'.padStart(10)}`;

function row(label: string, m: Measured): string {
  return `  ${label.padEnd(14)} ${m.master.padEnd(24)} ${m.coreSeconds.toFixed(1).padStart(7)} ${m.durationSeconds
    .toFixed(1)
    .padStart(8)} ${m.cost.toFixed(6).padStart(10)}  ${m.appId}`;
}

interface SeriesResult {
  series: Series;
  cut: number;
  durationChange: number;
  ratio: number;
}

/** Tunes one series: `--runs` runs of its job with tuning mode auto. */
async function tuneSeries(service: Service, series: Series): Promise<Measured[]> {
  const { shape, start } = series;
  const job = seriesJob(series);
  const put = await call(service.url, 'PUT', `/api/v1/jobs/${job}/config`, {
    body: { id: job, clusterId: 'local', configTemplateId: start, tuning: { mode: 'auto', objective: 'cost' } },
  });
  if (put.status !== 200) throw new Error(`job ${job}: ${put.text}`);
  console.log(`\n${job}: ${shape.what} (${shape.arguments(scale).join(' ')}), starting ${start}-provisioned`);
  console.log(HEADER);
  const tuned: Measured[] = [];
  for (let run = 1; run <= tunedRuns; run++) {
    const m = await measure(service, { clusterId: 'local', jobId: job, configOverrides: program(shape) });
    tuned.push(m);
    console.log(row(`tuned ${run}`, m));
    for (const change of m.changes) console.log(`      ${change}`);
  }
  return tuned;
}

/** One configuration run untuned in every round: a grid point, or a series' first or last tuned configuration. */
interface Point {
  label: string;
  config: ApplicationConfig;
  measured: Measured[];
}

/**
 * Runs every point once per round, in an order shuffled anew each round (seeded: the same on every
 * run of the benchmark), so that a change of load over the rounds falls on all points alike.
 */
async function runRounds(service: Service, shape: Shape, points: Point[]): Promise<void> {
  const shuffle = mulberry32(seedOf(SHAPES.indexOf(shape), rounds));
  for (let round = 1; round <= rounds; round++) {
    console.log(
      `\n${shape.name} round ${round}/${rounds}: ${points.length} configurations, shuffled (load ${loadavg()[0]!.toFixed(1)})`,
    );
    console.log(HEADER);
    const order = points.map((point) => ({ point, key: shuffle() })).sort((a, b) => a.key - b.key);
    for (const { point } of order) {
      const m = await measure(service, {
        clusterId: 'local',
        jobId: fixedJob(shape),
        configOverrides: { ...program(shape), ...point.config },
      });
      point.measured.push(m);
      console.log(row(point.label, m));
    }
  }
}

interface SeriesResult {
  series: Series;
  cut: number;
  durationChange: number;
  ratio: number;
}

const medianOf = (point: Point, figure: (m: Measured) => number) => median(point.measured.map(figure));

/** A series' figures from the medians over the rounds: its last configuration against its first and the grid's best. */
function compare(series: Series, first: Point, last: Point, grid: Point[]): SeriesResult {
  const cost = (m: Measured) => m.cost;
  const best = grid.reduce((a, b) => (medianOf(b, cost) < medianOf(a, cost) ? b : a));
  const cut = 1 - medianOf(last, (m) => m.coreSeconds) / medianOf(first, (m) => m.coreSeconds);
  const durationChange = medianOf(last, (m) => m.durationSeconds) / medianOf(first, (m) => m.durationSeconds) - 1;
  const ratio = medianOf(last, cost) / medianOf(best, cost);
  console.log(
    `  ${seriesJob(series)}: core-seconds ${percent(-cut)}, duration ${percent(durationChange)}, run${tunedRuns}/best-of-grid ${ratio.toFixed(2)} (best ${best.label}: ${best.measured[0]!.master})`,
  );
  return { series, cut, durationChange, ratio };
}

async function main(): Promise<void> {
  sparkEnv();
  const only = values.only?.split(',');
  const chosen = SERIES.filter((s) => !only || only.includes(s.shape.name));
  // room for the over-provisioned start: 8 cores' worth of task slots on this machine
  const service = await startService({ localSettings: { maxParallelism: 8 } });
  try {
    for (const [id, config] of Object.entries(TEMPLATES)) {
      const made = await call(service.url, 'POST', '/api/v1/clusters/local/templates', { body: { id, config } });
      if (made.status !== 201) throw new Error(`template ${id}: ${made.text}`);
    }
    const results: SeriesResult[] = [];
    for (const shape of SHAPES.filter((s) => chosen.some((c) => c.shape === s))) {
      const put = await call(service.url, 'PUT', `/api/v1/jobs/${fixedJob(shape)}/config`, {
        body: { id: fixedJob(shape), clusterId: 'local', tuning: { mode: 'off' } },
      });
      if (put.status !== 200) throw new Error(`job ${fixedJob(shape)}: ${put.text}`);
      const ofShape = chosen.filter((s) => s.shape === shape);
      const reruns: { series: Series; first: Point; last: Point }[] = [];
      const tunedRunsOfShape: Measured[] = [];
      for (const series of ofShape) {
        const tuned = await tuneSeries(service, series);
        tunedRunsOfShape.push(...tuned);
        // only what runs in the rounds is compared, under the same load; the tuned runs give the configurations
        const rerun = (run: number): Point => ({
          label: `${series.start} run ${run}`,
          config: resourcesOf(tuned[run - 1]!.config),
          measured: [],
        });
        reruns.push({ series, first: rerun(1), last: rerun(tunedRuns) });
      }
      const grid: Point[] = GRID.slice(0, Number(values.grid)).map((config) => ({
        label: `grid ${config.executor?.cores}c p=${config.sparkConf?.['spark.sql.shuffle.partitions']}`,
        config,
        measured: [],
      }));
      const points = [...grid, ...reruns.flatMap((r) => [r.first, r.last])];
      await runRounds(service, shape, points);
      const all = [...tunedRunsOfShape, ...points.flatMap((p) => p.measured)];
      const checksums = new Set(all.map((m) => m.checksum));
      if (checksums.size !== 1)
        throw new Error(`${shape.name}: the runs disagree, checksums ${[...checksums].join(', ')}`);
      console.log(`  ${shape.name}: every run printed checksum ${all[0]!.checksum}`);
      for (const r of reruns) results.push(compare(r.series, r.first, r.last, grid));
    }

    console.log('\nseries              core-s cut  duration  run5/best-of-grid');
    for (const r of results) {
      const name = `${r.series.shape.name}/${r.series.start}`;
      console.log(
        `${name.padEnd(19)} ${`${(r.cut * 100).toFixed(0)}%`.padStart(10)} ${percent(r.durationChange).padStart(9)} ${r.ratio.toFixed(2).padStart(18)}`,
      );
    }
    const over = results.filter((r) => r.series.start === 'over');
    for (const r of results.filter((r) => r.series.start === 'under')) {
      console.log(
        `under-provisioned ${r.series.shape.name}: duration ${percent(r.durationChange)} by run ${tunedRuns}`,
      );
    }
    const worstCut = Math.min(...over.map((r) => r.cut));
    const worstDuration = Math.max(...over.map((r) => r.durationChange));
    const worstRatio = Math.max(...results.map((r) => r.ratio));
    console.log(
      `tuning-real core-seconds-cut=${(worstCut * 100).toFixed(0)}% duration-change=${percent(worstDuration)} run${tunedRuns}/best-of-grid=${worstRatio.toFixed(2)}`,
    );
  } finally {
    await service.close();
  }
}

await main();
