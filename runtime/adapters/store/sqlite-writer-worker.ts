/**
 * The SQLite writer thread (see sqlite-writer.ts). Writes that arrive while a commit is in progress
 * are committed together in the next transaction (group commit), so one fsync covers many of
 * them; each write runs under its own savepoint, so a failing one fails alone. A write is answered
 * only after the transaction that holds it is committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { type StatementResult, touchedRows, type WriteStatement } from './writes';
import type { WriteAnswer, WriterOptions, WriterRequest } from './sqlite-writer';

/** Most writes in one transaction: bounds how long one commit makes the next writes wait. */
const MAX_BATCH = 512;

const port = parentPort!;
const options = workerData as WriterOptions;
const database = new SqliteDatabase(options.path, { timeout: options.busyTimeoutMillis });
database.pragma(`synchronous = ${options.synchronous}`);
database.pragma('foreign_keys = ON');

const statements = new Map<string, SqliteDatabase.Statement>();
function prepare(sql: string): SqliteDatabase.Statement {
  let prepared = statements.get(sql);
  if (!prepared) {
    if (statements.size >= 1000) statements.clear();
    prepared = database.prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
}

function execute(each: WriteStatement): StatementResult {
  const prepared = prepare(each.sql);
  if (prepared.reader) {
    const rows = prepared.all(...each.parameters) as unknown[];
    return { rows, changes: rows.length };
  }
  return { rows: [], changes: prepared.run(...each.parameters).changes };
}

const begin = database.prepare('BEGIN IMMEDIATE');
const commit = database.prepare('COMMIT');
const rollback = database.prepare('ROLLBACK');
const savepoint = database.prepare('SAVEPOINT write');
const release = database.prepare('RELEASE write');
const rollbackToSavepoint = database.prepare('ROLLBACK TO write');

/**
 * A write of one statement needs no savepoint: a statement that fails is undone on its own and
 * the transaction goes on. A write of several is undone whole when one of them fails.
 */
function runWrite(request: WriterRequest): WriteAnswer {
  const several = request.statements.length > 1;
  if (several) savepoint.run();
  try {
    const results: StatementResult[] = [];
    for (const each of request.statements) {
      const skip = each.ifPrevious === true && !touchedRows(results[results.length - 1]);
      results.push(skip ? { rows: [], changes: 0 } : execute(each));
    }
    if (several) release.run();
    return { id: request.id, results };
  } catch (error) {
    if (several && database.inTransaction) {
      rollbackToSavepoint.run();
      release.run();
    }
    return { id: request.id, error: describe(error) };
  }
}

function runBatch(batch: WriterRequest[]): WriteAnswer[] {
  const failAll = (error: unknown) => batch.map((request) => ({ id: request.id, error: describe(error) }));
  try {
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout for another process)
    begin.run();
  } catch (error) {
    return failAll(error);
  }
  const answers: WriteAnswer[] = [];
  for (const request of batch) {
    const answer = runWrite(request);
    // some errors (a full disk, I/O) roll back the whole transaction: none of the batch is committed
    if (!database.inTransaction) return failAll(new Error(`the transaction was rolled back: ${answer.error?.message}`));
    answers.push(answer);
  }
  try {
    commit.run();
    return answers;
  } catch (error) {
    // nothing of the batch is committed, so no write of it is acknowledged
    if (database.inTransaction) rollback.run();
    return failAll(error);
  }
}

function describe(error: unknown): { message: string; code?: string } {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

const queue: WriterRequest[] = [];
let scheduled = false;
let closing = false;

function flush(): void {
  scheduled = false;
  while (queue.length > 0) port.postMessage(runBatch(queue.splice(0, MAX_BATCH)));
  if (closing) {
    database.close();
    port.close();
  }
}

port.on('message', (message: WriterRequest[] | 'close') => {
  if (message === 'close') closing = true;
  else queue.push(...message);
  if (!scheduled) {
    scheduled = true;
    // the requests already delivered to this thread join the batch
    setImmediate(flush);
  }
});
port.postMessage('ready');
