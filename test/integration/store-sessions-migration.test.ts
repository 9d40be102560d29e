/**
 * Migration 0009 on both dialects: job_id becomes nullable for jobless applications (sessions,
 * notebooks), and the applications stored before it keep their rows, labels and indexes.
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
import type { Application } from '../../runtime/domain/application';
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
      const database = new SqliteDatabase(path);
      database.pragma('foreign_keys = ON');
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
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

const session: Application = {
  id: 'session-1',
  clusterId: 'c',
  state: 'NEW',
  submissionSource: 'api',
  type: 'session',
  configOverrides: {},
  config: { labels: { team: 'b' } },
  provenance: {},
  createdAt: '2026-01-02T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

describe.each(targets)('migration 0009 on $name', (target) => {
  it('stores applications without a job, keeping the rows and labels stored before it', async () => {
    const { url, db, tearDown } = await target.open();
    try {
      const before = Object.fromEntries(
        Object.entries(storeMigrations(target.codec)).filter(([name]) => name < '0009'),
      );
      const migrator = new Migrator({ db, provider: { getMigrations: async () => before } });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const tables = db.withTables<{
        applications: Record<string, unknown>;
        app_labels: Record<string, unknown>;
      }>();
      await tables
        .insertInto('applications')
        .values({
          id: 'old-run',
          cluster_id: 'c',
          job_id: 'nightly',
          state: 'COMPLETED',
          submission_source: 'api',
          config_overrides: '{}',
          config: JSON.stringify({ labels: { team: 'a' } }),
          provenance: '{}',
          cost: 2,
          core_seconds: 60,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          ended_at: '2026-01-01T01:00:00.000Z',
        })
        .execute();
      await tables.insertInto('app_labels').values({ app_id: 'old-run', key: 'team', value: 'a' }).execute();
      await db.destroy();

      const store = await openStore(url);
      try {
        const old = await store.getApplication('old-run');
        expect(old).toMatchObject({ jobId: 'nightly', type: 'batch', state: 'COMPLETED' });
        expect((await store.listApplications({ labels: { team: 'a' } }, 10)).items.map((a) => a.id)).toEqual([
          'old-run',
        ]);
        await store.insertApplication(session);
        const stored = await store.getApplication('session-1');
        expect(stored?.type).toBe('session');
        expect(stored && 'jobId' in stored).toBe(false);
        expect((await store.listApplications({ jobId: 'nightly' }, 10)).items.map((a) => a.id)).toEqual(['old-run']);
        expect((await store.listApplications({ types: ['session'] }, 10)).items.map((a) => a.id)).toEqual([
          'session-1',
        ]);
        expect((await store.listApplications({ labels: { team: 'b' } }, 10)).items.map((a) => a.id)).toEqual([
          'session-1',
        ]);
        // the indexes came back with the table
        expect(await store.migrate()).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await tearDown();
    }
  });
});
