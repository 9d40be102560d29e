/**
 * The admission lock of a database (Store.withAdmissionLock). PostgreSQL: a transaction-level
 * advisory lock, held on a pooled connection of its own for the length of the work, so every
 * replica on the database waits its turn, and the server lets it go if the connection is lost.
 * SQLite serves one process: the stores of this process on one file share an in-process lock.
 */
import { resolve } from 'node:path';
import type pg from 'pg';
import { type AdmissionLock, SerialLock } from './serial-lock';

/** The advisory lock's key: any constant the runtime uses for nothing else ("SPAD"). */
const ADMISSION_LOCK_KEY = 0x53504144;

export class PostgresAdmissionLock implements AdmissionLock {
  /** This process's passes queue here first, holding no connection while they wait. */
  private readonly local = new SerialLock();

  constructor(private readonly pool: pg.Pool) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.local.run(async () => {
      const client = await this.pool.connect();
      let broken = false;
      // a checked-out client reports a lost connection (a server stopped or restarted) as an 'error'
      // event, which would end the process unheard: the query in flight fails, the client is dropped
      const lost = () => (broken = true);
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [ADMISSION_LOCK_KEY]);
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    });
  }
}

const sqliteLocks = new Map<string, SerialLock>();

/** The lock of the SQLite database at `path`, one per file in this process. */
export function sqliteAdmissionLock(path: string): AdmissionLock {
  if (path === ':memory:') return new SerialLock();
  const key = resolve(path);
  let lock = sqliteLocks.get(key);
  if (!lock) sqliteLocks.set(key, (lock = new SerialLock()));
  return lock;
}
