/**
 * Opens the durable store named by a database URL and brings its schema up to date.
 *
 * - `postgres://user:pass@host:port/db` (or `postgresql://`): PostgreSQL, reads through a pg Pool, writes
 *   on a connection of their own (postgres-writer.ts).
 * - `sqlite:<path>`, `sqlite:///<absolute path>`, a plain file path, or `:memory:`: SQLite.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Logger, silentLogger } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import type { Clock, Store } from '../../domain/ports';
import { PostgresAdmissionLock, sqliteAdmissionLock } from './admission-locks';
import { type DialectCodec, postgresCodec, sqliteCodec } from './dialect';
import { migrateToLatest } from './migrations';
import { KyselyStore } from './kysely-store';
import type { Database } from './schema';
import { PostgresExecutor } from './postgres-executor';
import { PostgresReader } from './postgres-reader';
import { PreparedNames } from './postgres-statements';
import { PostgresWriter } from './postgres-writer';
import { SqliteExecutor } from './sqlite-executor';
import type { AdmissionLock } from './serial-lock';
import { FaultReportingExecutor, type StoreFault } from './store-faults';

export interface StoreOptions {
  /** Source of the createdAt/updatedAt the store sets itself. @default the system clock */
  clock?: Clock;
  /** PostgreSQL: connections in the pool that reads run on (writes have one of their own). @default 10 */
  poolSize?: number;
  /** SQLite: how long a write waits for a lock held by another process. @default 5000 */
  busyTimeoutMillis?: number;
  /**
   * SQLite: FULL fsyncs the WAL at every commit, so an acknowledged write survives a power loss;
   * NORMAL survives a crash of the process but may lose the last commits on a power loss, for
   * several times the commit rate. @default "FULL"
   */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** Told of lost PostgreSQL connections (each is replaced when next needed). @default no logging */
  logger?: Logger;
}

/** A Store that can also (re-)apply its schema migrations. */
export interface DurableStore extends Store {
  readonly kind: 'sqlite' | 'postgres';
  /** The last write that failed for the store's own reason (disk full, read-only, connection lost), until one lands again. */
  readonly lastFault: StoreFault | undefined;
  /** Applies pending migrations; returns the names applied (empty when the schema is current). */
  migrate(): Promise<string[]>;
}

export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Reads a database URL; throws VALIDATION_FAILED naming the (password-redacted) URL when it is not one. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path !== '') return { kind: 'sqlite', path };
  } else if (url !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return { kind: 'sqlite', path: url };
  }
  const shown = redactDatabaseUrl(url);
  throw new DomainError('VALIDATION_FAILED', `database URL "${shown}" is not supported`, [
    { path: 'databaseUrl', message: `"${shown}" is not postgres://..., sqlite:<path>, a file path or :memory:` },
  ]);
}

/** The URL with its password replaced by "***", for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<DurableStore> {
  const location = parseDatabaseUrl(url);
  const clock = options.clock ?? { now: () => new Date() };
  try {
    return location.kind === 'postgres'
      ? await openPostgres(location.url, options, clock)
      : await openSqlite(location.path, options, clock);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the store at ${redactDatabaseUrl(url)}: ${reason}`, { cause: error });
  }
}

/** Migrates the schema, then builds the store; the connections are closed when either fails. */
async function build(
  db: Kysely<Database>,
  codec: DialectCodec,
  make: () => Promise<DurableStore>,
): Promise<DurableStore> {
  try {
    await migrateToLatest(db as Kysely<unknown>, codec);
    return await make();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
}

/** A KyselyStore whose executor reports the store's own failures. */
abstract class FaultReportingStore extends KyselyStore {
  constructor(
    db: Kysely<Database>,
    codec: DialectCodec,
    clock: Clock,
    private readonly faults: FaultReportingExecutor,
    admissionLock: AdmissionLock,
  ) {
    super(db, codec, clock, faults, admissionLock);
  }

  get lastFault(): StoreFault | undefined {
    return this.faults.lastFault;
  }
}

class SqliteStore extends FaultReportingStore implements DurableStore {
  readonly kind = 'sqlite';
}

class PostgresStore extends FaultReportingStore implements DurableStore {
  readonly kind = 'postgres';
}

function openSqlite(path: string, options: StoreOptions, clock: Clock): Promise<DurableStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const busyTimeoutMillis = options.busyTimeoutMillis ?? 5000;
  const database = new SqliteDatabase(path, { timeout: busyTimeoutMillis });
  // WAL: readers never block the writer; see StoreOptions.sqliteSynchronous for the durability choice
  database.pragma('journal_mode = WAL');
  const synchronous = options.sqliteSynchronous ?? 'FULL';
  database.pragma(`synchronous = ${synchronous}`);
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMillis)}`);
  // Kysely migrates and compiles; the executor runs what it compiled
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return build(db, sqliteCodec, async () => {
    const writer = path === ':memory:' ? undefined : { path, synchronous, busyTimeoutMillis };
    return new SqliteStore(
      db,
      sqliteCodec,
      clock,
      new FaultReportingExecutor(await SqliteExecutor.open(database, writer)),
      sqliteAdmissionLock(path),
    );
  });
}

function openPostgres(url: string, options: StoreOptions, clock: Clock): Promise<DurableStore> {
  const logger = options.logger ?? silentLogger;
  // pipelined: the reads of one turn share a connection (postgres-reader.ts)
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, pipeline: true });
  // an idle client losing its connection must not crash the process; the next query reconnects
  pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost while idle'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return build(db, postgresCodec, async () => {
    const names = new PreparedNames();
    const executor = new PostgresExecutor(new PostgresReader(pool, names), new PostgresWriter(url, names, logger));
    return new PostgresStore(
      db,
      postgresCodec,
      clock,
      new FaultReportingExecutor(executor),
      new PostgresAdmissionLock(pool),
    );
  });
}
