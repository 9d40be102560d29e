/**
 * The store's spend sums (the cost report, a cluster's summary) on SQLite: whole weeks read
 * weekly_spend, whole days daily_spend or, for the totals of each day, daily_totals, each by its
 * key (migrations 0013 and 0016); the days of some jobs read daily_spend_job_day; the part days
 * at a range's edges and the groups of a
 * label read the covering index of the ended applications, and no sum scans a table: a sum that
 * reads the table instead fetches every application of its range row by row, which on 200,000
 * applications is the difference bench:dashboard measures (seconds instead of milliseconds).
 */
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteCodec } from '../../runtime/adapters/store/dialect';
import { KyselyStore } from '../../runtime/adapters/store/kysely-store';
import { migrateToLatest } from '../../runtime/adapters/store/migrations';
import type { Database } from '../../runtime/adapters/store/schema';
import type { Executor, Statement } from '../../runtime/adapters/store/statements';
import type { SpendQuery } from '../../runtime/domain/ports';

let database: SqliteDatabase.Database;
let db: Kysely<Database>;
/** The query plan of every read the store made. */
let plans: string[];
let store: KyselyStore;

/** Runs the store's reads on `database`, recording each one's plan first. */
function explainingExecutor(): Executor {
  return {
    read: async ({ sql, parameters }: Statement) => {
      const steps = database.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[];
      plans.push(steps.map((s) => s.detail).join(' | '));
      return database.prepare(sql).all(...parameters);
    },
    write: async () => {
      throw new Error('this test only reads');
    },
    close: async () => undefined,
  };
}

beforeEach(async () => {
  database = new SqliteDatabase(':memory:');
  db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  await migrateToLatest(db as Kysely<unknown>, sqliteCodec);
  plans = [];
  store = new KyselyStore(db, sqliteCodec, { now: () => new Date() }, explainingExecutor());
});

afterEach(async () => {
  await db.destroy();
});

/** Thursday 1 to Saturday 31 January: whole weeks from Monday 5 to Sunday 25, whole days around them. */
const days = { endedFrom: '2026-01-01T00:00:00.000Z', endedTo: '2026-02-01T00:00:00.000Z' };
/** A cluster summary's window: from now, so both of its ends fall within a day. */
const window = { endedFrom: '2026-01-01T18:30:00.000Z', endedTo: '2026-01-31T18:30:00.000Z' };

const SUMMED_DAYS = /SEARCH daily_spend USING PRIMARY KEY \(day>\? AND day<\?\)/;
const SUMMED_WEEKS = /SEARCH weekly_spend USING PRIMARY KEY \(week>\? AND week<\?\)/;
const DAY_TOTALS = /SEARCH daily_totals USING PRIMARY KEY \(day>\? AND day<\?\)/;
const DAYS_OF_JOBS = /SEARCH daily_spend USING INDEX daily_spend_job_day \(job_id=\? AND day>\? AND day<\?\)/;
const WEEKS_AND_DAYS = [SUMMED_DAYS, SUMMED_WEEKS, SUMMED_DAYS];
const ENDED_INDEX = /SEARCH a USING COVERING INDEX applications_ended_spend_covering \(ended_at>\? AND ended_at<\?\)/;

describe('spend sums on SQLite', () => {
  it.each<[string, SpendQuery, RegExp[]]>([
    ['the total of whole days', days, WEEKS_AND_DAYS],
    ['per day', { ...days, perDay: true }, [DAY_TOTALS]],
    ['by cluster per day', { ...days, by: 'cluster', perDay: true }, [DAY_TOTALS]],
    ['by job', { ...days, by: 'job' }, WEEKS_AND_DAYS],
    ['by job, per day, of some jobs', { ...days, by: 'job', perDay: true, keys: ['etl', 'ml'] }, [DAYS_OF_JOBS]],
    ['per day of some jobs', { ...days, perDay: true, jobIds: ['etl', 'ml'] }, [DAYS_OF_JOBS]],
    ['by user, per day, of some users', { ...days, by: 'user', perDay: true, keys: ['ann', 'bob'] }, [SUMMED_DAYS]],
    ['by job of two clusters', { ...days, by: 'job', clusterIds: ['prod', 'dev'] }, WEEKS_AND_DAYS],
    [
      'by job within a week',
      { endedFrom: '2026-01-13T00:00:00.000Z', endedTo: '2026-01-17T00:00:00.000Z', by: 'job' },
      [SUMMED_DAYS],
    ],
    [
      'by state per day of one cluster over a window (its summary)',
      { ...window, by: 'state', perDay: true, clusterIds: ['prod'] },
      [SUMMED_DAYS, ENDED_INDEX, ENDED_INDEX],
    ],
    ['within a day', { endedFrom: '2026-01-01T01:00:00.000Z', endedTo: '2026-01-01T02:00:00.000Z' }, [ENDED_INDEX]],
    ['by label', { ...days, by: 'label', labelKey: 'team', perDay: true }, [ENDED_INDEX]],
  ])('%s: by an index, scanning no table', async (_what, query, reads) => {
    await store.sumSpend(query);
    expect(plans).toHaveLength(1);
    const steps = plans[0]!.split(' | ');
    for (const read of reads) {
      const at = steps.findIndex((step) => read.test(step));
      expect(at, `${read} in ${plans[0]}`).toBeGreaterThanOrEqual(0);
      steps.splice(at, 1);
    }
    expect(
      steps.filter((step) => /(SCAN|SEARCH) (a|applications|daily_spend|weekly_spend|daily_totals)\b/.test(step)),
    ).toEqual([]);
  });

  it("a cluster's activity reads its applications by the cluster's index", async () => {
    await store.listActivity('prod', window.endedFrom, window.endedTo);
    expect(plans).toEqual([expect.stringMatching(/^SEARCH applications USING INDEX applications_cluster_id_created/)]);
  });
});

describe('the pages bench:dashboard measures, on SQLite', () => {
  it("Applications' first page of a cluster and state by cost reads that index, the ones without a cost by id", async () => {
    await store.listApplications({ clusterId: 'prod', states: ['COMPLETED'] }, 25, undefined, {
      key: 'cost',
      order: 'desc',
    });
    expect(plans).toEqual([
      expect.stringMatching(
        /^SEARCH applications USING INDEX applications_cluster_state_cost \(cluster_id=\? AND state=\? AND cost>\?\)$/,
      ),
      expect.stringMatching(
        /^SEARCH applications USING INDEX applications_cluster_state_cost \(cluster_id=\? AND state=\? AND cost=\?\)$/,
      ),
    ]);
  });

  it("a job's page reads its runs by the job's index, newest first, with no sort", async () => {
    await store.listApplications({ jobId: 'etl' }, 20);
    await store.listMeasuredRuns('etl');
    expect(plans).toEqual([
      expect.stringMatching(/^SEARCH applications USING INDEX applications_job_id_created \(job_id=\?\)$/),
      expect.stringMatching(/^SEARCH applications USING INDEX applications_job_id_created \(job_id=\?\)$/),
    ]);
  });
});
