import SqliteDatabase from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteStatements } from './sqlite-statements';

let database: SqliteDatabase.Database;
let statements: SqliteStatements;

beforeEach(() => {
  database = new SqliteDatabase(':memory:');
  database.pragma('foreign_keys = ON');
  database.exec(`
    create table parents (id text primary key);
    create table children (id text primary key, parent_id text not null references parents (id));
  `);
  statements = new SqliteStatements(database);
});

const insertParent = (id: string) => ({
  sql: 'insert into parents (id) values (?) on conflict do nothing returning id',
  parameters: [id],
});
const insertChild = (id: string, parentId: string, ifPrevious = false) => ({
  sql: 'insert into children (id, parent_id) values (?, ?)',
  parameters: [id, parentId],
  ...(ifPrevious ? { ifPrevious } : {}),
});
const ids = (table: string) => database.prepare(`select id from ${table} order by id`).pluck().all();

describe('SqliteStatements.runBatch', () => {
  it('commits every write of a batch in one transaction and answers each with its rows and changes', () => {
    const answers = statements.runBatch([
      { id: 1, statements: [insertParent('p1')] },
      { id: 2, statements: [insertParent('p2'), insertChild('c2', 'p2')] },
    ]);
    expect(answers).toEqual([
      { id: 1, results: [{ rows: [{ id: 'p1' }], changes: 1 }] },
      {
        id: 2,
        results: [
          { rows: [{ id: 'p2' }], changes: 1 },
          { rows: [], changes: 1 },
        ],
      },
    ]);
    expect(ids('parents')).toEqual(['p1', 'p2']);
    expect(database.inTransaction).toBe(false);
  });

  it('fails a failing write alone: the rest of its batch is committed, and nothing of it is', () => {
    const answers = statements.runBatch([
      { id: 1, statements: [insertParent('p1')] },
      // its second statement breaks the foreign key: its first is undone with it
      { id: 2, statements: [insertParent('p2'), insertChild('c2', 'missing')] },
      // a single failing statement
      { id: 3, statements: [insertChild('c3', 'missing')] },
      { id: 4, statements: [insertParent('p4')] },
    ]);
    expect(answers.map((answer) => answer.error?.code ?? 'ok')).toEqual([
      'ok',
      'SQLITE_CONSTRAINT_FOREIGNKEY',
      'SQLITE_CONSTRAINT_FOREIGNKEY',
      'ok',
    ]);
    expect(ids('parents')).toEqual(['p1', 'p4']);
    expect(ids('children')).toEqual([]);
  });

  it('skips a statement marked ifPrevious when the one before it touched no row', () => {
    statements.runBatch([{ id: 1, statements: [insertParent('p1')] }]);
    const [again] = statements.runBatch([
      { id: 2, statements: [insertParent('p1'), insertChild('c-dup', 'p1', true)] },
    ]);
    expect(again).toEqual({
      id: 2,
      results: [
        { rows: [], changes: 0 },
        { rows: [], changes: 0 },
      ],
    });
    expect(ids('children')).toEqual([]);
  });

  it('fails every write of a batch when the write lock cannot be taken, and commits none', () => {
    database.exec('BEGIN');
    const answers = statements.runBatch([{ id: 1, statements: [insertParent('p1')] }]);
    expect(answers[0]?.error?.message).toMatch(/within a transaction/);
    database.exec('ROLLBACK');
    expect(ids('parents')).toEqual([]);
  });
});
