/**
 * Group commit for SQLite: writes that arrive while a commit is in progress are committed together
 * in the next transaction, so one fsync covers many of them. Every caller still gets its answer
 * only after its own write is committed. SQLite has one writer and a commit costs an fsync
 * (milliseconds on most disks); without this, durable submissions are bounded by fsyncs per second.
 */
import type { Kysely } from 'kysely';

type Write<DB> = (db: Kysely<DB>) => Promise<unknown>;

interface Pending<DB> {
  write: Write<DB>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most writes in one transaction: bounds how long one commit holds the connection. */
const MAX_BATCH = 256;

export class GroupCommit<DB> {
  private queue: Pending<DB>[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<DB>) {}

  run<T>(write: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // let the writes of the requests already read from the sockets join the first batch
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const pending of batch) out.push(await pending.write(trx));
          return out;
        });
        batch.forEach((pending, i) => pending.resolve(results[i]));
      } catch {
        // one write failed and rolled the batch back: run each alone, so only its caller sees an error
        for (const pending of batch) {
          try {
            pending.resolve(await this.db.transaction().execute((trx) => pending.write(trx)));
          } catch (error) {
            pending.reject(error);
          }
        }
      }
    }
    this.flushing = false;
  }
}
