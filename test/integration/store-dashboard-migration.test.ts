/**
 * Migrations 0005, 0006, 0013 and 0016 on both dialects: applications stored before 0005 get their metric columns and
 * requested cores from the stored JSON, so sorts and sums see them at once; before 0006, their measurement;
 * before 0013, their day's spend, and before 0016 their week's and their day's per cluster, which every later
 * write keeps equal to the sums of the applications.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresCodec, sqliteCodec, type DialectCodec } from '../../runtime/adapters/store/dialect';
import { storeMigrations } from '../../runtime/adapters/store/migrations';
import { openStore } from '../../runtime/adapters/store/open-store';
import type { Application } from '../../runtime/domain/application';
import { emptyRunMetrics, type RunMetrics } from '../../runtime/domain/metrics';
import { createTestDatabase } from '../support/postgres';

interface Target {
  name: string;
  codec: DialectCodec;
  open(): Promise<{ url: string; db: Kysely<unknown>; tearDown(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'sqlite',
    codec: sqliteCodec,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sparkplane-migration-'));
      const path = join(dir, 'store.db');
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(path) }) });
      return { url: `sqlite:${path}`, db, tearDown: async () => rmSync(dir, { recursive: true }) };
    },
  },
  {
    name: 'postgres',
    codec: postgresCodec,
    open: async () => {
      const database = await createTestDatabase();
      const db = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
      });
      return { url: database.url, db, tearDown: database.drop };
    },
  },
];

describe.each(targets)('migration 0005 on $name', (target) => {
  it('backfills the metric columns and requested cores of applications stored before it', async () => {
    const { url, db, tearDown } = await target.open();
    try {
      await migrateBefore(db, target.codec, '0005');
      const row = (id: string, cost: number | undefined) => ({
        id,
        cluster_id: 'c',
        job_id: 'j',
        state: 'COMPLETED',
        submission_source: 'api',
        config_overrides: '{}',
        config: JSON.stringify({ driver: { cores: 2 }, executor: { instances: 3, cores: 4 } }),
        provenance: '{}',
        metrics: JSON.stringify({
          ...emptyRunMetrics(),
          durationMs: 5000,
          executorCoreSeconds: 7200,
          inputBytes: 10,
          ...(cost === undefined ? {} : { cost: { total: cost, currency: 'EUR', method: 'x' } }),
        }),
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        started_at: '2026-01-01T00:00:00.000Z',
        ended_at: '2026-01-01T01:00:00.000Z',
      });
      const tables = db.withTables<{ applications: Record<string, unknown> }>();
      await tables
        .insertInto('applications')
        .values([row('cheap', 1.5), row('dear', 2.5), row('unpriced', undefined)])
        .execute();
      await db.destroy();

      const store = await openStore(url);
      try {
        const page = await store.listApplications({}, 10, undefined, { key: 'cost', order: 'desc' });
        expect(page.items.map((a) => a.id)).toEqual(['dear', 'cheap', 'unpriced']);
        expect(page.items[0]!.type).toBe('batch');
        const [sums] = await store.sumSpend({ endedFrom: '2026-01-01T00:00:00Z', endedTo: '2026-01-02T00:00:00Z' });
        expect(sums).toMatchObject({
          applications: 3,
          cost: 4,
          executorCoreSeconds: 3 * 7200,
          durationMs: 15_000,
          currency: 'EUR',
        });
        const [interval] = await store.listActivity('c', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');
        expect(interval?.requestedCores).toBe(2 + 3 * 4);
      } finally {
        await store.close();
      }
    } finally {
      await tearDown();
    }
  });
});

describe.each(targets)('migration 0006 on $name', (target) => {
  it('records the measurement of applications ended before it, leaving the active ones to measure', async () => {
    const { url, db, tearDown } = await target.open();
    try {
      await migrateBefore(db, target.codec, '0006');
      const row = (id: string, state: string, started: boolean, measured: boolean) => ({
        id,
        cluster_id: 'c',
        job_id: 'j',
        state,
        submission_source: 'api',
        config_overrides: '{}',
        config: '{}',
        provenance: '{}',
        metrics: measured ? JSON.stringify(emptyRunMetrics()) : null,
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        started_at: started ? '2026-01-01T00:00:00.000Z' : null,
        ended_at: state === 'RUNNING' ? null : '2026-01-01T01:00:00.000Z',
      });
      await db
        .withTables<{ applications: Record<string, unknown> }>()
        .insertInto('applications')
        .values([
          row('measured', 'COMPLETED', true, true),
          row('refused', 'FAILED', false, false),
          row('lost', 'KILLED', true, false),
          row('running', 'RUNNING', true, false),
        ])
        .execute();
      await db.destroy();

      const store = await openStore(url);
      try {
        const state = async (id: string) => (await store.getApplication(id))?.measurement;
        expect(await state('measured')).toEqual({ state: 'measured', attempts: 1 });
        expect(await state('refused')).toMatchObject({ state: 'skipped', attempts: 0 });
        expect((await state('lost'))?.state).toBe('failed');
        expect((await state('lost'))?.reason).toMatch(/POST \/api\/v1\/applications\/\{id\}\/measure/);
        expect(await state('running')).toBeUndefined();
        expect(await store.listPendingMeasurements(10)).toEqual([]);
        // once it ends, the running one is the one left to measure
        await store.updateApplication('running', { state: 'COMPLETED', endedAt: '2026-01-01T02:00:00.000Z' });
        expect((await store.listPendingMeasurements(10)).map((a) => a.id)).toEqual(['running']);
        await store.updateApplication('running', { measurement: { state: 'pending', attempts: 1 } });
        expect((await store.listPendingMeasurements(10)).map((a) => a.id)).toEqual(['running']);
        await store.updateApplication('running', { measurement: { state: 'measured', attempts: 2 } });
        expect(await store.listPendingMeasurements(10)).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await tearDown();
    }
  });
});

describe.each(targets)('migration 0016 on $name', (target) => {
  it('sums the applications ended before it per week and per day and cluster, and every write after it keeps the sums equal', async () => {
    const { url, db, tearDown } = await target.open();
    try {
      await migrateBefore(db, target.codec, '0016');
      // Sunday 4 and Monday 5 January 2026 are in two weeks; Sunday 11 is the end of the second
      await db
        .withTables<{ applications: Record<string, unknown> }>()
        .insertInto('applications')
        .values([
          endedRow('a', '2026-01-04T23:00:00.000Z', 1.5, 'j'),
          endedRow('b', '2026-01-05T01:00:00.000Z', 2.25, 'j'),
          endedRow('c', '2026-01-11T23:59:59.999Z', null, 'k'),
          { ...endedRow('other', '2026-01-05T03:00:00.000Z', 4, 'j'), cluster_id: 'd' },
          endedRow('session', '2026-01-12T10:00:00.000Z', 0.5, null),
          endedRow('running', null, null, 'j'),
        ])
        .execute();

      // the oracle's Monday, reckoned otherwise than the migration: back from the week's Sunday (SQLite), by ISO day (PostgreSQL)
      const monday =
        target.codec.kind === 'sqlite'
          ? `date(substr(ended_at, 1, 10), 'weekday 0', '-6 days')`
          : `to_char(ended_at at time zone 'UTC' - (extract(isodow from ended_at at time zone 'UTC')::int - 1) * interval '1 day', 'YYYY-MM-DD')`;
      const totalsKeys = ['cluster_id', 'currency'];
      const check = async (step: string) => {
        expect(await summary(db, 'weekly_spend', 'week'), step).toEqual(await spendOfApplications(db, monday));
        expect(await summary(db, 'daily_totals', 'day', totalsKeys), step).toEqual(
          await spendOfApplications(db, utcDay(target.codec), totalsKeys),
        );
      };
      const store = await openStore(url);
      try {
        await check('the back-fill');
        expect(
          (await summary(db, 'weekly_spend', 'week')).map((r) => [r.period, r.cluster_id, r.job_id, r.cost]),
        ).toEqual([
          ['2025-12-29', 'c', 'j', 1.5],
          ['2026-01-05', 'c', 'j', 2.25],
          ['2026-01-05', 'c', 'k', 0],
          ['2026-01-05', 'd', 'j', 4],
          ['2026-01-12', 'c', '', 0.5],
        ]);

        const steps: [string, () => Promise<unknown>][] = [
          [
            'it ends',
            () => store.updateApplication('running', { state: 'FAILED', endedAt: '2026-01-06T02:00:00.000Z' }),
          ],
          ['it is measured', () => store.updateApplication('running', { metrics: priced(4, 7200) })],
          ['an end moves a week', () => store.updateApplication('c', { endedAt: '2026-01-12T00:00:00.000Z' })],
          ['a run is priced', () => store.updateApplication('b', { metrics: priced(0.25, 60) })],
        ];
        for (const [step, write] of steps) {
          await write();
          await check(step);
        }

        // a range of whole weeks and the days around them sums what its applications sum
        const range = { endedFrom: '2026-01-01T12:00:00.000Z', endedTo: '2026-01-13T00:00:00.000Z' };
        const byJob = (await store.sumSpend({ ...range, by: 'job' })).map((r) => [r.key, r.applications, r.cost]);
        expect(byJob.sort()).toEqual([
          ['', 1, 0.5],
          ['j', 4, 1.5 + 0.25 + 4 + 4],
          ['k', 1, 0],
        ]);
        const perDay = (await store.sumSpend({ ...range, perDay: true })).map((r) => [r.day, r.applications, r.cost]);
        expect(perDay.sort()).toEqual([
          ['2026-01-04', 1, 1.5],
          ['2026-01-05', 2, 4.25],
          ['2026-01-06', 1, 4],
          ['2026-01-12', 2, 0.5],
        ]);
      } finally {
        await store.close();
      }
    } finally {
      await db.destroy();
      await tearDown();
    }
  });
});

/** Applies the migrations before `name` only. */
async function migrateBefore(db: Kysely<unknown>, codec: DialectCodec, name: string) {
  const before = Object.entries(storeMigrations(codec)).filter(([each]) => each < name);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => Object.fromEntries(before) } });
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
}

/** An application row as stored, ended at `ended` (null: still running). */
const endedRow = (id: string, ended: string | null, cost: number | null, jobId: string | null) => ({
  id,
  cluster_id: 'c',
  job_id: jobId,
  user_id: jobId === null ? null : 'ann',
  state: 'COMPLETED',
  submission_source: 'api',
  config_overrides: '{}',
  config: '{}',
  provenance: '{}',
  cost,
  currency: cost === null ? null : 'USD',
  core_seconds: cost === null ? null : 3600,
  duration_ms: 60_000,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  ended_at: ended,
});

const DAILY_GROUP = ['cluster_id', 'job_id', 'user_id', 'state', 'currency'];

/** A summary as the applications sum it (the oracle), per `period` (SQL of ended_at) and `keys`, in the key's order. */
async function spendOfApplications(db: Kysely<unknown>, period: string, keys = DAILY_GROUP) {
  const columns = keys.map((k) => (k === 'cluster_id' || k === 'state' ? k : `coalesce(${k}, '') as ${k}`));
  const order = keys.map((_, i) => i + 2).join(', ');
  const { rows } = await sql<
    Record<string, unknown>
  >`select ${sql.raw(period)} as period, ${sql.raw(columns.join(', '))},
      count(*) as applications, coalesce(sum(cost), 0) as cost, coalesce(sum(core_seconds), 0) as core_seconds,
      coalesce(sum(duration_ms), 0) as duration_ms, count(core_seconds) as measured
    from applications where ended_at is not null group by 1, ${sql.raw(order)} order by 1, ${sql.raw(order)}`.execute(
    db,
  );
  return rows.map(numbers);
}

/** A summary's rows (daily_spend by default), in the key's order. */
async function summary(db: Kysely<unknown>, table = 'daily_spend', period = 'day', keys = DAILY_GROUP) {
  const order = keys.map((_, i) => i + 2).join(', ');
  const { rows } = await sql<Record<string, unknown>>`select ${sql.ref(period)} as period, ${sql.raw(keys.join(', '))},
      applications, cost, core_seconds, duration_ms, measured
    from ${sql.table(table)} order by 1, ${sql.raw(order)}`.execute(db);
  return rows.map(numbers);
}

const utcDay = (codec: DialectCodec) =>
  codec.kind === 'sqlite' ? 'substr(ended_at, 1, 10)' : `to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD')`;

/** PostgreSQL returns counts as text. */
function numbers(row: Record<string, unknown>) {
  const text = new Set(['period', 'cluster_id', 'job_id', 'user_id', 'state', 'currency']);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text.has(k) ? v : Number(v)]));
}

const priced = (cost: number, coreSeconds: number): RunMetrics => ({
  ...emptyRunMetrics(),
  durationMs: 60_000,
  executorCoreSeconds: coreSeconds,
  cost: { total: cost, currency: 'USD', method: 'test' },
});

describe.each(targets)('migration 0013 on $name', (target) => {
  it('sums the applications ended before it per day and group, and every write after it keeps the sums equal', async () => {
    const { url, db, tearDown } = await target.open();
    try {
      await migrateBefore(db, target.codec, '0013');
      await db
        .withTables<{ applications: Record<string, unknown> }>()
        .insertInto('applications')
        .values([
          endedRow('a', '2026-01-01T01:00:00.000Z', 1.5, 'j'),
          endedRow('b', '2026-01-01T23:59:59.999Z', 2.25, 'j'),
          endedRow('c', '2026-01-02T00:00:00.000Z', null, 'j'),
          endedRow('session', '2026-01-02T10:00:00.000Z', 0.5, null),
          endedRow('running', null, null, 'j'),
        ])
        .execute();

      const store = await openStore(url);
      try {
        const backfilled = await summary(db);
        expect(backfilled).toEqual(await spendOfApplications(db, utcDay(target.codec)));
        expect(backfilled.map((r) => [r.period, r.job_id, r.applications, r.cost])).toEqual([
          ['2026-01-01', 'j', 2, 3.75],
          ['2026-01-02', '', 1, 0.5],
          ['2026-01-02', 'j', 1, 0],
        ]);

        // each write through the store: an end, its metrics, a new measurement, a later end
        const fresh: Application = {
          id: 'fresh',
          clusterId: 'c',
          jobId: 'k',
          state: 'NEW',
          submissionSource: 'api',
          type: 'batch',
          configOverrides: {},
          config: {},
          provenance: {},
          createdAt: '2026-01-02T00:00:00.000Z',
          updatedAt: '2026-01-02T00:00:00.000Z',
        };
        const steps: [string, () => Promise<unknown>][] = [
          ['a new application', () => store.insertApplication(fresh)],
          ['it runs', () => store.updateApplication('fresh', { state: 'RUNNING', startedAt: '2026-01-02T01:00:00Z' })],
          ['it ends', () => store.updateApplication('fresh', { state: 'FAILED', endedAt: '2026-01-02T02:00:00.000Z' })],
          ['it is measured', () => store.updateApplication('fresh', { metrics: priced(4, 7200) })],
          ['it is measured again', () => store.updateApplication('fresh', { metrics: priced(0.75, 1800) })],
          [
            'the running one ends',
            () =>
              store.updateApplication('running', {
                state: 'KILLED',
                endedAt: '2026-01-03T00:00:00.000Z',
                metrics: priced(1, 60),
              }),
          ],
          ['an end moves a day', () => store.updateApplication('c', { endedAt: '2026-01-03T05:00:00.000Z' })],
        ];
        for (const [step, write] of steps) {
          await write();
          expect(await summary(db), step).toEqual(await spendOfApplications(db, utcDay(target.codec)));
        }
        // the day c left holds only the session now: an emptied group leaves no row
        expect((await summary(db)).filter((r) => r.period === '2026-01-02').map((r) => r.job_id)).toEqual(['', 'k']);

        // the cost report's sums: whole days from daily_spend, the part days at the edges from the applications
        const sums = async (endedFrom: string, endedTo: string) =>
          (await store.sumSpend({ endedFrom, endedTo, by: 'job', perDay: true }))
            .map((r) => [r.day, r.key, r.applications, r.cost])
            .sort((x, y) => (`${x[0]} ${x[1]}` < `${y[0]} ${y[1]}` ? -1 : 1));
        expect(await sums('2026-01-01T00:00:00.000Z', '2026-01-04T00:00:00.000Z')).toEqual([
          ['2026-01-01', 'j', 2, 3.75],
          ['2026-01-02', '', 1, 0.5],
          ['2026-01-02', 'k', 1, 0.75],
          ['2026-01-03', 'j', 2, 1],
        ]);
        expect(await sums('2026-01-01T12:00:00.000Z', '2026-01-03T01:00:00.000Z')).toEqual([
          ['2026-01-01', 'j', 1, 2.25],
          ['2026-01-02', '', 1, 0.5],
          ['2026-01-02', 'k', 1, 0.75],
          ['2026-01-03', 'j', 1, 1],
        ]);
      } finally {
        await store.close();
      }
    } finally {
      await db.destroy();
      await tearDown();
    }
  });
});
