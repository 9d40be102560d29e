/**
 * SQLite's writes on a thread of their own. better-sqlite3 is synchronous: run on the event loop,
 * every statement and every commit's fsync stops all requests, and writes bound the service's
 * throughput. The writer thread owns the only write connection and commits in groups
 * (sqlite-writer-worker.ts); the event loop keeps its own connection for reads, which WAL lets
 * run beside the writer.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StatementResult, WriteStatement, Writer } from './writes';

export interface WriterOptions {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMillis: number;
}

/** One write, as the event loop sends it to the writer thread (in lists, or 'close' after the queued ones). */
export interface WriterRequest {
  id: number;
  statements: WriteStatement[];
}

/** The writer thread's answer to one write, sent once its transaction is committed (or failed). */
export type WriteAnswer =
  | { id: number; results: StatementResult[]; error?: undefined }
  | { id: number; error: { message: string; code?: string } };

interface Pending {
  resolve: (results: StatementResult[]) => void;
  reject: (error: Error) => void;
}

/**
 * The worker runs TypeScript: it registers the tsx loader the runtime itself runs with (its ESM
 * API, found through the package's exports: test runners lack import.meta.resolve).
 */
function workerSource(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
  const entry = new URL('./sqlite-writer-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

export class SqliteWriterThread implements Writer {
  private readonly pending = new Map<number, Pending>();
  /** Writes not yet posted: those of one turn of the event loop go in one message. */
  private outbox: WriterRequest[] = [];
  private nextId = 1;
  /** Set once the thread has stopped: every later write fails with it. */
  private stopped: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: WriteAnswer[] | 'ready') => {
      if (message !== 'ready') this.answer(message);
    });
    worker.on('error', (error) => this.stop(new Error(`the SQLite writer thread failed: ${error.message}`)));
    worker.once('exit', (code) => this.stop(new Error(`the SQLite writer thread exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the thread; resolves once it has opened the database. */
  static async start(options: WriterOptions): Promise<SqliteWriterThread> {
    const worker = new Worker(workerSource(), { eval: true, workerData: options });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the SQLite writer thread exited (code ${code}) while starting`)));
    });
    return new SqliteWriterThread(worker);
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

  private post(): void {
    const requests = this.outbox;
    this.outbox = [];
    this.worker.postMessage(requests);
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

  private answer(answers: WriteAnswer[]): void {
    for (const answer of answers) {
      const pending = this.pending.get(answer.id);
      if (!pending) continue;
      this.pending.delete(answer.id);
      if (answer.error) pending.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
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
