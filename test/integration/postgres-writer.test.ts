/**
 * PostgreSQL's group commit, on the real server (SPARKPLANE_TEST_DATABASE_URL, a fresh database):
 * the writes of one turn are committed in one transaction, a failing write fails alone, a write
 * that lost a deadlock is sent again, a failed COMMIT fails its whole batch, and a write
 * connection killed while writes are in flight fails them with a clear error, crashes nothing, and
 * is replaced for the next writes.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PreparedNames } from '../../runtime/adapters/store/postgres-statements';
import { PostgresWriter } from '../../runtime/adapters/store/postgres-writer';
import type { WriteStatement } from '../../runtime/adapters/store/statements';
import { silentLogger } from '../../runtime/domain/ports';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

let database: TestDatabase;
let admin: pg.Client;
let writer: PostgresWriter;
const warnings: string[] = [];
const logger = { ...silentLogger, warn: (_fields: object, message: string) => void warnings.push(message) };

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`
    create table parents (id text primary key, tx bigint not null default txid_current());
    create table children (id text primary key, parent_id text not null references parents (id));
    create table late (id text primary key,
      parent_id text not null references parents (id) deferrable initially deferred);
  `);
});

afterAll(async () => {
  await admin.end();
  await database.drop();
});

beforeEach(async () => {
  await admin.query('truncate parents, children, late');
  warnings.length = 0;
  writer = new PostgresWriter(database.url, new PreparedNames(), logger);
});

afterEach(async () => {
  await writer.close();
});

const parent = (id: string): WriteStatement => ({
  sql: 'insert into parents (id) values ($1) on conflict do nothing returning id, tx',
  parameters: [id],
});
const child = (id: string, parentId: string, ifPrevious?: boolean): WriteStatement => ({
  sql: 'insert into children (id, parent_id) values ($1, $2)',
  parameters: [id, parentId],
  ...(ifPrevious ? { ifPrevious } : {}),
});
const ids = async (table: string) => (await admin.query(`select id from ${table} order by id`)).rows.map((r) => r.id);

describe('PostgresWriter', () => {
  it('commits the writes of one turn in one transaction, each visible to others once acknowledged', async () => {
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.write([parent(`p${i}`)])));
    expect(written.every(([result]) => result?.changes === 1)).toBe(true);
    expect((await admin.query('select count(*)::int as n from parents')).rows[0].n).toBe(50);
    const transactions = (await admin.query('select count(distinct tx)::int as n from parents')).rows[0].n;
    expect(transactions).toBe(1);
  });

  it('commits at most 64 writes per transaction', async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.write([parent(`p${i}`)])));
    const sizes = (await admin.query('select count(*)::int as n from parents group by tx order by n desc')).rows;
    expect(sizes.map((r) => r.n)).toEqual([64, 36]);
  });

  it('fails a failing write alone, undoing all of it, and commits the writes beside it', async () => {
    const [first, missingParent, undone, last] = await Promise.allSettled([
      writer.write([parent('a')]),
      writer.write([child('c1', 'missing')]),
      // a write of several statements is undone whole when its second fails
      writer.write([parent('b'), child('c2', 'missing')]),
      writer.write([parent('d'), child('c3', 'd')]),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(last.status).toBe('fulfilled');
    expect(missingParent).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
    expect(undone).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
    expect(await ids('parents')).toEqual(['a', 'd']);
    expect(await ids('children')).toEqual(['c3']);
    expect((await admin.query('select count(distinct tx)::int as n from parents')).rows[0].n).toBe(1);
  });

  it('runs a statement marked ifPrevious only when the one before it touched rows', async () => {
    await writer.write([parent('x')]);
    const [again, fresh] = await Promise.all([
      writer.write([parent('x'), child('cx', 'x', true)]),
      writer.write([parent('y'), child('cy', 'y', true)]),
    ]);
    expect(again!.map((r) => r.changes)).toEqual([0, 0]);
    expect(fresh!.map((r) => r.changes)).toEqual([1, 1]);
    expect(await ids('children')).toEqual(['cy']);
  });

  it('fails every write of a batch whose COMMIT fails, and writes on afterwards', async () => {
    const results = await Promise.allSettled([
      writer.write([parent('kept-out')]),
      // checked only at COMMIT
      writer.write([{ sql: 'insert into late (id, parent_id) values ($1, $2)', parameters: ['l1', 'missing'] }]),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: {
          message: expect.stringMatching(/^PostgreSQL refused the COMMIT \(.*\): the write was not committed$/),
        },
      });
    }
    expect(await ids('parents')).toEqual([]);
    await writer.write([parent('after')]);
    expect(await ids('parents')).toEqual(['after']);
  });

  it('fails the writes in flight when its connection is killed, and reconnects for the next ones', async () => {
    await writer.write([parent('before')]);
    // a lock held elsewhere keeps the next batch in flight on the server
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table parents in exclusive mode');
      const inFlight = Promise.allSettled([writer.write([parent('lost-1')]), writer.write([parent('lost-2')])]);
      const pid = await waitFor(writerWaiting);
      await admin.query('select pg_terminate_backend($1)', [pid]);
      for (const result of await inFlight) {
        expect(result).toMatchObject({
          status: 'rejected',
          reason: {
            message:
              'the PostgreSQL write transaction was interrupted (terminating connection due to administrator command): ' +
              'the write was not committed',
          },
        });
      }
    } finally {
      await holder.end();
    }
    expect(warnings).toContain('PostgreSQL write connection lost: the next write reconnects');
    await writer.write([parent('after')]);
    expect(await ids('parents')).toEqual(['after', 'before']);
  });

  it('sends a write picked to break a deadlock again, in the next batch', async () => {
    await writer.write([parent('A')]);
    await writer.write([parent('B')]);
    const touch = (id: string): WriteStatement => ({
      sql: 'update parents set tx = tx where id = $1',
      parameters: [id],
    });
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`update parents set tx = tx where id = 'B'`);
      // one batch: it locks A, then waits for B
      const written = Promise.all([writer.write([touch('A')]), writer.write([touch('B')])]);
      await waitFor(writerWaiting);
      // waits for A: a deadlock, which the writer, waiting longer, detects and breaks (deadlock_timeout)
      const otherTouch = other.query(`update parents set tx = tx where id = 'A'`);
      await otherTouch;
      await other.query('commit');
      expect((await written).map(([result]) => result?.changes)).toEqual([1, 1]);
    } finally {
      await other.end();
    }
  });

  it('commits the writes queued before close, and refuses those after', async () => {
    const queued = [writer.write([parent('q1')]), writer.write([parent('q2')])];
    await writer.close();
    expect((await Promise.all(queued)).map(([result]) => result?.rows[0])).toMatchObject([{ id: 'q1' }, { id: 'q2' }]);
    await expect(writer.write([parent('late')])).rejects.toThrow('the store is closed');
  });
});

/** The server process of the writer's connection, when it waits for a lock. */
async function writerWaiting(): Promise<number | undefined> {
  const { rows } = await admin.query(
    `select pid from pg_stat_activity
     where datname = current_database() and application_name = 'sparkplane-writer' and wait_event_type = 'Lock'`,
  );
  return rows[0]?.pid as number | undefined;
}

/** Polls until `probe` answers, for at most 10 s. */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 200; tries++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}
