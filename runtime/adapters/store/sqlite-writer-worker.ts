/**
 * The SQLite writer thread (see sqlite-executor.ts). Writes that arrive while a commit is in progress
 * are committed together in the next transaction (group commit), so one fsync covers many of
 * them. A write is answered only after the transaction that holds it is committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import type { WriterOptions } from './sqlite-executor';
import { SqliteStatements, type WriteRequest } from './sqlite-statements';

/** Most writes in one transaction: bounds how long one commit makes the next writes wait. */
const MAX_BATCH = 512;

const port = parentPort!;
const options = workerData as WriterOptions;
const database = new SqliteDatabase(options.path, { timeout: options.busyTimeoutMillis });
database.pragma(`synchronous = ${options.synchronous}`);
database.pragma('foreign_keys = ON');
const statements = new SqliteStatements(database);

const queue: WriteRequest[] = [];
let scheduled = false;
let closing = false;

function flush(): void {
  scheduled = false;
  while (queue.length > 0) port.postMessage(statements.runBatch(queue.splice(0, MAX_BATCH)));
  if (closing) {
    database.close();
    port.close();
  }
}

port.on('message', (message: WriteRequest[] | 'close') => {
  if (message === 'close') closing = true;
  else queue.push(...message);
  if (!scheduled) {
    scheduled = true;
    // the requests already delivered to this thread join the batch
    setImmediate(flush);
  }
});
port.postMessage('ready');
