/**
 * PostgreSQL's named statements across a schema change: another replica adding a column (a
 * migration during a rolling upgrade) makes the `select *` and `returning *` statements this one
 * prepared stale ("cached plan must not change result type"); reads and writes go on, unnamed.
 */
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type DurableStore, openStore } from '../../runtime/adapters/store/open-store';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

let database: TestDatabase;
let store: DurableStore;

beforeEach(async () => {
  database = await createTestDatabase();
  // one connection for reads: the one that prepared the statements runs them after the change
  store = await openStore(database.url, { poolSize: 1 });
});

afterEach(async () => {
  await store.close();
  await database.drop();
});

it('reads and writes on after a column is added under its prepared statements', async () => {
  // run often enough to be named and prepared
  for (let i = 0; i < 3; i++) {
    await store.putCluster({ id: 'c1', backend: 'local', settings: { round: i } });
    expect(await store.getCluster('c1')).toMatchObject({ id: 'c1', settings: { round: i } });
  }
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  await other.query('alter table clusters add column added_by_a_newer_replica text');
  await other.end();

  expect(await store.getCluster('c1')).toMatchObject({ id: 'c1', settings: { round: 2 } });
  expect(await store.putCluster({ id: 'c1', backend: 'local', settings: { round: 3 } })).toMatchObject({
    settings: { round: 3 },
  });
  expect(await store.getCluster('c1')).toMatchObject({ settings: { round: 3 } });
});
