/**
 * SQLite's writer thread, for real: writes from the event loop are committed by the thread, in
 * groups, and seen by other connections once acknowledged; a failing write fails alone; close
 * answers what was queued; and an open store does not keep a process alive.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExecutor } from '../../runtime/adapters/store/sqlite-executor';

let dir: string;
let path: string;
let database: SqliteDatabase.Database;
let executor: SqliteExecutor;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-writer-'));
  path = join(dir, 'store.db');
  database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  database.exec(`
    create table parents (id text primary key);
    create table children (id text primary key, parent_id text not null references parents (id));
  `);
  executor = await SqliteExecutor.open(database, { path, synchronous: 'FULL', busyTimeoutMillis: 5000 });
});

afterEach(async () => {
  await executor.close();
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const insertParent = (id: string) => ({ sql: 'insert into parents (id) values (?) returning id', parameters: [id] });

describe('SqliteExecutor with its writer thread', () => {
  it('commits writes made together, and each is visible to another connection once acknowledged', async () => {
    const writes = Array.from({ length: 300 }, (_, i) => executor.write([insertParent(`p${i}`)]));
    const results = await Promise.all(writes);
    expect(results.every(([result]) => result?.changes === 1)).toBe(true);
    const other = new SqliteDatabase(path, { readonly: true });
    expect(other.prepare('select count(*) from parents').pluck().get()).toBe(300);
    other.close();
    expect(await executor.read({ sql: 'select id from parents where id = ?', parameters: ['p7'] })).toEqual([
      { id: 'p7' },
    ]);
  });

  it('fails a failing write alone, with SQLite code, and commits the writes beside it', async () => {
    const [good, bad, alsoGood] = await Promise.allSettled([
      executor.write([insertParent('a')]),
      executor.write([
        insertParent('b'),
        { sql: 'insert into children (id, parent_id) values (?, ?)', parameters: ['c', 'missing'] },
      ]),
      executor.write([insertParent('d')]),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(alsoGood.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(database.prepare('select id from parents order by id').pluck().all()).toEqual(['a', 'd']);
  });

  it('answers the writes queued before close, and refuses the ones after', async () => {
    const queued = [executor.write([insertParent('x')]), executor.write([insertParent('y')])];
    await executor.close();
    expect((await Promise.all(queued)).map(([result]) => result?.rows)).toEqual([[{ id: 'x' }], [{ id: 'y' }]]);
    await expect(executor.write([insertParent('z')])).rejects.toThrow('the store is closed');
  });

  it('reports a database it cannot open when it starts', async () => {
    await expect(
      SqliteExecutor.open(database, { path: dir, synchronous: 'FULL', busyTimeoutMillis: 100 }),
    ).rejects.toThrow();
  });

  it('does not keep a process alive once its writes are answered', () => {
    const script = `
      import { openStore } from ${JSON.stringify(new URL('../../runtime/adapters/store/open-store.ts', import.meta.url).href)};
      const store = await openStore(${JSON.stringify(join(dir, 'other.db'))});
      await store.putCluster({ id: 'local', backend: 'local', settings: {} });
      console.log('written');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stdout.trim()).toBe('written');
    expect(child.status).toBe(0);
  });
});
