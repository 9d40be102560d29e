/**
 * SQLite: reads run on the event loop's connection; writes on a thread of their own.
 * better-sqlite3 is synchronous: on the event loop, every write and every commit's fsync would
 * stop all requests, and writes would bound the service's throughput. The writer thread owns the
 * only write connection and commits in groups (sqlite-writer-worker.ts); WAL lets reads run beside
 * it. An in-memory database is private to its connection, so it is written in place.
 */
import type { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { answerError, SqliteStatements, type WriteAnswer, type WriteRequest } from './sqlite-statements';
import type { Executor, Statement, StatementResult, WriteStatement } from './statements';
import { typescriptWorker } from '../threads/typescript-worker';

export interface WriterOptions {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMillis: number;
}

export class SqliteExecutor implements Executor {
  private readonly connection: SqliteStatements;

  private constructor(
    database: SqliteDatabase.Database,
    private readonly writerThread: WriterThread | undefined,
  ) {
    this.connection = new SqliteStatements(database);
  }

  /** `database` is the event loop's connection; without `writer` (in memory) it is also written. */
  static async open(database: SqliteDatabase.Database, writer?: WriterOptions): Promise<SqliteExecutor> {
    return new SqliteExecutor(database, writer && (await WriterThread.start(writer)));
  }

  async read(statement: Statement): Promise<unknown[]> {
    return this.connection.read(statement);
  }

  async write(statements: WriteStatement[]): Promise<StatementResult[]> {
    if (this.writerThread) return this.writerThread.run(statements);
    const [answer] = this.connection.runBatch([{ id: 0, statements }]);
    if (answer!.error) throw answerError(answer!.error);
    return answer!.results;
  }

  async close(): Promise<void> {
    await this.writerThread?.close();
  }
}

interface Pending {
  resolve: (results: StatementResult[]) => void;
  reject: (error: Error) => void;
}

/** The event loop's side of the writer thread: posts writes, answers their callers. */
class WriterThread {
  private readonly pending = new Map<number, Pending>();
  /** Writes not yet posted: those of one turn of the event loop go in one message. */
  private outbox: WriteRequest[] = [];
  private nextId = 1;
  /** Set once the thread has stopped: every later write fails with it. */
  private stopped: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (answers: WriteAnswer[]) => this.answer(answers));
    worker.on('error', (error) => this.stop(new Error(`the SQLite writer thread failed: ${error.message}`)));
    worker.once('exit', (code) => this.stop(new Error(`the SQLite writer thread exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the thread; resolves once it has opened the database. */
  static async start(options: WriterOptions): Promise<WriterThread> {
    const worker = typescriptWorker(new URL('./sqlite-writer-worker.ts', import.meta.url), { workerData: options });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the SQLite writer thread exited (code ${code}) while starting`)));
    });
    return new WriterThread(worker);
  }

  run(statements: WriteStatement[]): Promise<StatementResult[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    // the thread keeps the process alive only while a write is waiting for its answer
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.outbox.length === 0) setImmediate(() => this.post());
      this.outbox.push({ id, statements });
    });
  }

  /** Answers the writes already queued, then stops the thread. */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = new Error('the store is closed');
      this.worker.ref();
      if (this.outbox.length > 0) this.post();
      this.worker.postMessage('close');
    }
    await this.exited;
  }

  private post(): void {
    if (this.outbox.length === 0) return;
    const requests = this.outbox;
    this.outbox = [];
    this.worker.postMessage(requests);
  }

  private answer(answers: WriteAnswer[]): void {
    for (const answer of answers) {
      const pending = this.pending.get(answer.id);
      if (!pending) continue;
      this.pending.delete(answer.id);
      if (answer.error) pending.reject(answerError(answer.error));
      else pending.resolve(answer.results);
    }
    if (this.pending.size === 0) this.worker.unref();
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const pending of this.pending.values()) pending.reject(this.stopped);
    this.pending.clear();
  }
}
