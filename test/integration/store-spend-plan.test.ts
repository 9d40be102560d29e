/**
 * The store's spend sums (the cost report, a cluster's summary) on SQLite read a covering index of
 * migration 0007 alone, for every grouping and cluster filter (a token limited to a few jobs reads
 * their rows by job instead, as few as they are): a sum that reads the table instead fetches every
 * application of its range row by row, which on 200,000 applications is the difference
 * bench:dashboard measures (seconds instead of tens of milliseconds).
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

const range = { endedFrom: '2026-01-01T00:00:00.000Z', endedTo: '2026-02-01T00:00:00.000Z' };

describe('spend sums on SQLite', () => {
  it.each<[string, SpendQuery]>([
    ['the total', range],
    ['per day', { ...range, perDay: true }],
    ['by job', { ...range, by: 'job' }],
    ['by user, per day, of some users', { ...range, by: 'user', perDay: true, keys: ['ann', 'bob'] }],
    ['by state per day of one cluster (its summary)', { ...range, by: 'state', perDay: true, clusterIds: ['prod'] }],
    ['by job of two clusters', { ...range, by: 'job', clusterIds: ['prod', 'dev'] }],
  ])('%s: from a covering index alone', async (_what, query) => {
    await store.sumSpend(query);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/USING COVERING INDEX applications_(cluster_)?ended_spend_covering/);
  });
});
