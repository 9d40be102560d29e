/**
 * Fills a store with the dashboard benchmark's data: `jobs` jobs spread over `clusters` clusters,
 * `applications` ended runs of them (with metrics, labels and users) over the last `days` days.
 * Rows are the real column layout (rows.ts's applicationRow) written through Kysely in
 * transactions of multi-row INSERTs after the real migrations, so that what the benchmark reads
 * is what the store's own writes would have left.
 */
import { type Insertable, type Kysely, sql } from 'kysely';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type { RunMetrics } from '../../runtime/domain/metrics';
import type { Provenance } from '../../runtime/domain/merge';
import type { JobSpec } from '../../runtime/domain/resources';
import type { AppState } from '../../runtime/domain/states';
import type { DialectCodec } from '../../runtime/adapters/store/dialect';
import { migrateToLatest } from '../../runtime/adapters/store/migrations';
import { applicationRow } from '../../runtime/adapters/store/rows';
import type { ApplicationsTable, AppLabelsTable, Database } from '../../runtime/adapters/store/schema';

export interface FillOptions {
  clusterIds: string[];
  jobs: number;
  applications: number;
  /** Runs are spread over the days before `now`. */
  days: number;
  now: Date;
}

/** A deterministic generator (mulberry32): every run of the benchmark reads the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TEAMS = ['ingest', 'analytics', 'ml', 'finance', 'search', 'ads', 'growth', 'risk'];
/** Final states, about as often as a busy platform sees them. */
const ENDS: [AppState, number][] = [
  ['COMPLETED', 0.86],
  ['COMPLETED_WITH_WARNINGS', 0.04],
  ['FAILED', 0.06],
  ['KILLED', 0.03],
  ['TIMED_OUT', 0.01],
];

function endState(r: number): AppState {
  let sum = 0;
  for (const [state, share] of ENDS) {
    sum += share;
    if (r < sum) return state;
  }
  return 'COMPLETED';
}

export function jobId(index: number): string {
  return `bench-job-${String(index).padStart(4, '0')}`;
}

function jobConfig(index: number, instances: number, memoryGiB: number): ApplicationConfig {
  return {
    type: 'Python',
    sparkVersion: '4.0.1',
    image: 'ghcr.io/acme/spark:4.0.1',
    mainApplicationFile: `s3a://acme-jobs/${jobId(index)}/main.py`,
    arguments: ['--date', '{{ ds }}'],
    sparkConf: {
      'spark.sql.shuffle.partitions': '400',
      'spark.sql.adaptive.enabled': 'true',
      'spark.eventLog.enabled': 'true',
    },
    labels: { team: TEAMS[index % TEAMS.length]!, tier: index % 3 === 0 ? 'gold' : 'silver' },
    driver: { cores: 1, memory: '2g' },
    executor: { instances, cores: 4, memory: `${memoryGiB}g` },
  };
}

function provenanceOf(config: ApplicationConfig): Provenance {
  return {
    '/type': 'template',
    '/sparkVersion': 'template',
    '/image': 'template',
    '/mainApplicationFile': 'job',
    '/arguments': 'job',
    '/sparkConf/spark.sql.shuffle.partitions': 'job',
    '/sparkConf/spark.sql.adaptive.enabled': 'template',
    '/sparkConf/spark.eventLog.enabled': 'template',
    '/labels/team': 'job',
    '/labels/tier': 'job',
    '/driver/cores': 'template',
    '/driver/memory': 'template',
    '/executor/instances': config.executor?.instances === 4 ? 'job' : 'tuning',
    '/executor/cores': 'template',
    '/executor/memory': 'tuning',
  };
}

function metricsOf(rand: () => number, startMs: number, durationMs: number, instances: number): RunMetrics {
  const coreSeconds = (instances * 4 * durationMs) / 1000;
  const efficiency = 0.35 + rand() * 0.6;
  const runMs = coreSeconds * 1000 * efficiency;
  const inputBytes = Math.round(rand() * 200e9);
  const executors = Array.from({ length: instances }, (_, i) => ({
    executorId: String(i + 1),
    cores: 4,
    addedAt: startMs + 5_000,
    removedAt: startMs + durationMs,
    peakJvmMemoryBytes: Math.round(2e9 + rand() * 4e9),
  }));
  return {
    sparkAppId: `spark-${startMs}`,
    durationMs,
    waitBeforeStartMs: Math.round(rand() * 30_000),
    executorCoreSeconds: coreSeconds,
    inputBytes,
    inputRecords: Math.round(inputBytes / 120),
    outputBytes: Math.round(inputBytes * rand() * 0.3),
    outputRecords: Math.round((inputBytes / 400) * rand()),
    shuffleReadBytes: Math.round(inputBytes * 0.2),
    shuffleWriteBytes: Math.round(inputBytes * 0.2),
    shuffleFetchWaitMs: Math.round(rand() * 60_000),
    memorySpillBytes: 0,
    diskSpillBytes: 0,
    peakJvmMemoryBytes: Math.max(...executors.map((e) => e.peakJvmMemoryBytes)),
    executorRunTimeMs: runMs,
    executorCpuTimeMs: runMs * 0.8,
    jvmGcTimeMs: runMs * 0.03,
    gcTimeShare: 0.03,
    efficiency,
    cpuUtilization: efficiency * 0.8,
    tasks: { completed: 400 + Math.round(rand() * 4000), failed: 0, killed: 0 },
    stages: { completed: 6 + Math.round(rand() * 20), failed: 0 },
    skewedStages: [],
    executors,
    executorsLost: [],
    sparkProperties: {
      'spark.app.name': 'main.py',
      'spark.executor.instances': String(instances),
      'spark.executor.cores': '4',
      'spark.sql.shuffle.partitions': '400',
    },
    incomplete: false,
    cost: {
      total: Math.round((coreSeconds / 3600) * 0.048 * 10_000) / 10_000,
      currency: 'USD',
      method: 'local: core-hours x 0.048',
    },
  };
}

/** What was written. */
export interface FillResult {
  applications: number;
  labels: number;
  jobs: number;
  /** Of the fill's time, building the indexes. */
  indexMs: number;
}

const FILLED_TABLES = ['applications', 'app_labels'];

/**
 * Runs `work` with the secondary indexes of the filled tables dropped, then creates them again
 * from their own definitions, as the migrations wrote them: building an index over sorted rows
 * once is many times faster than keeping seventeen of them up to date row by row.
 */
async function withIndexesDeferred(
  db: Kysely<Database>,
  codec: DialectCodec,
  work: () => Promise<void>,
): Promise<{ indexMs: number }> {
  const { rows } =
    codec.kind === 'sqlite'
      ? await sql<{ name: string; definition: string }>`select name, sql as definition from sqlite_master
          where type = 'index' and sql is not null and tbl_name in (${sql.join(FILLED_TABLES)})`.execute(db)
      : await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes
          where schemaname = current_schema() and tablename in (${sql.join(FILLED_TABLES)})
          and indexname not in (select conname from pg_constraint)`.execute(db);
  for (const index of rows) await sql`drop index ${sql.id(index.name)}`.execute(db);
  await work();
  const started = performance.now();
  for (const index of rows) await sql.raw(index.definition).execute(db);
  // PostgreSQL's planner needs statistics and index-only scans a visibility map: autovacuum keeps both on a live store
  if (codec.kind === 'postgres') await sql`vacuum analyze`.execute(db);
  return { indexMs: Math.round(performance.now() - started) };
}

/**
 * Migrates the schema of `db`, then writes the jobs and applications.
 * @param batchRows rows per INSERT statement (SQLite binds at most 32,766 values per statement).
 */
export async function fillStore(
  db: Kysely<Database>,
  codec: DialectCodec,
  options: FillOptions,
  batchRows = 800,
): Promise<FillResult> {
  await migrateToLatest(db as Kysely<unknown>, codec);
  const rand = random(12);
  const nowMs = options.now.getTime();
  const spanMs = options.days * 86_400_000;
  const perJob = Math.floor(options.applications / options.jobs);
  const jobs: { id: string; clusterId: string; config: ApplicationConfig; user: string }[] = [];
  for (let j = 0; j < options.jobs; j++) {
    const clusterId = options.clusterIds[j % options.clusterIds.length]!;
    jobs.push({ id: jobId(j), clusterId, config: jobConfig(j, 4, 8), user: `user-${j % 60}` });
  }
  const created = new Date(nowMs - spanMs - 86_400_000).toISOString();
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < jobs.length; i += batchRows) {
      const rows = jobs.slice(i, i + batchRows).map((job) => {
        const spec: JobSpec = {
          id: job.id,
          clusterId: job.clusterId,
          config: job.config,
          tuning: { mode: 'auto', objective: 'cost' },
          concurrencyPolicy: 'Allow',
        };
        return {
          id: job.id,
          cluster_id: job.clusterId,
          spec: JSON.stringify(spec),
          created_at: created,
          updated_at: created,
        };
      });
      await tx.insertInto('jobs').values(rows).execute();
    }
  });

  let applications = 0;
  let labels = 0;
  let rows: Insertable<ApplicationsTable>[] = [];
  let labelRows: Insertable<AppLabelsTable>[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    const [batch, batchLabels] = [rows, labelRows];
    rows = [];
    labelRows = [];
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('applications').values(batch).execute();
      // app_labels binds 3 values a row: three times as many per statement
      for (let i = 0; i < batchLabels.length; i += batchRows * 3) {
        await tx
          .insertInto('app_labels')
          .values(batchLabels.slice(i, i + batchRows * 3))
          .execute();
      }
    });
  };
  const { indexMs } = await withIndexesDeferred(db, codec, async () => {
    // run k of every job in turn: rows arrive in creation order, as a live store's would
    for (let k = 0; k < perJob; k++) {
      for (let j = 0; j < jobs.length; j++) {
        const job = jobs[j]!;
        const createdMs = nowMs - spanMs + Math.floor(((k + rand()) / perJob) * spanMs) - 3_600_000;
        const startMs = createdMs + 20_000 + Math.round(rand() * 40_000);
        const durationMs = 120_000 + Math.round(rand() * 3_000_000);
        const endMs = startMs + durationMs;
        // every tenth run, the tuner changed the executors: the job chart marks those runs
        const instances = 4 + (Math.floor(k / 10) % 3);
        const config = { ...job.config, executor: { ...job.config.executor, instances } };
        const state = endState(rand());
        const app: Application = {
          id: `${job.id}-${String(k).padStart(4, '0')}`,
          clusterId: job.clusterId,
          jobId: job.id,
          state,
          ...(state === 'FAILED' ? { stateReason: 'driver exited with code 1' } : {}),
          submissionSource: k % 2 === 0 ? 'schedule' : 'api',
          type: 'batch',
          userId: job.user,
          configOverrides: {},
          config,
          provenance: provenanceOf(config),
          backendRef: `bench-${job.id}-${k}`,
          metrics: metricsOf(rand, startMs, durationMs, instances),
          createdAt: new Date(createdMs).toISOString(),
          updatedAt: new Date(endMs).toISOString(),
          startedAt: new Date(startMs).toISOString(),
          endedAt: new Date(endMs).toISOString(),
        };
        rows.push(applicationRow(app));
        for (const [key, value] of Object.entries(config.labels ?? {})) labelRows.push({ app_id: app.id, key, value });
        applications += 1;
        labels += Object.keys(config.labels ?? {}).length;
        if (rows.length === batchRows) await flush();
      }
    }
    await flush();
  });
  return { applications, labels, jobs: jobs.length, indexMs };
}
