/**
 * Migrations 0005 and 0006 on both dialects: applications stored before 0005 get their metric columns and
 * requested cores from the stored JSON, so sorts and sums see them at once; before 0006, their measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresCodec, sqliteCodec, type DialectCodec } from '../../runtime/adapters/store/dialect';
import { storeMigrations } from '../../runtime/adapters/store/migrations';
import { openStore } from '../../runtime/adapters/store/open-store';
import { emptyRunMetrics } from '../../runtime/domain/metrics';
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
      const all = storeMigrations(target.codec);
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0005'));
      const migrator = new Migrator({ db, provider: { getMigrations: async () => before } });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
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
      const all = storeMigrations(target.codec);
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0006'));
      const migrator = new Migrator({ db, provider: { getMigrations: async () => before } });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
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
