/**
 * The store's own failures, told apart from a bad statement: a full disk, a read-only or vanished
 * database file, a lost or refused PostgreSQL connection. They become STORE_UNAVAILABLE (503, with
 * the cause) instead of an internal error, and the executor remembers the last one until a write
 * lands again, so readiness can say the store cannot write.
 */
import { DomainError } from '../../domain/errors';
import type { Executor, Statement, StatementResult, WriteStatement } from './statements';

/** SQLite result codes (better-sqlite3 names them, extended codes included) and why they mean an unusable store. */
const SQLITE_FAULTS: [prefix: string, cause: string][] = [
  ['SQLITE_FULL', 'the disk holding the database is full'],
  ['SQLITE_READONLY', 'the database file or its directory is read-only'],
  ['SQLITE_IOERR', 'the disk holding the database fails to read or write'],
  ['SQLITE_CANTOPEN', 'the database file cannot be opened'],
  ['SQLITE_CORRUPT', 'the database file is damaged'],
  ['SQLITE_NOTADB', 'the database file is not a SQLite database'],
];

/** PostgreSQL SQLSTATE classes and codes of an unavailable server, and Node's connection errors. */
const POSTGRES_FAULTS: [prefix: string, cause: string][] = [
  ['08', 'the connection to PostgreSQL failed'],
  ['53', 'PostgreSQL is out of resources (disk, memory or connections)'],
  ['57P', 'PostgreSQL is shutting down or restarting'],
  ['58', 'PostgreSQL reports a system error'],
  ['25006', 'PostgreSQL is read-only (a standby, or default_transaction_read_only)'],
  ['ECONNREFUSED', 'PostgreSQL refuses connections'],
  ['ECONNRESET', 'the connection to PostgreSQL was reset'],
  ['ETIMEDOUT', 'the connection to PostgreSQL timed out'],
  ['EPIPE', 'the connection to PostgreSQL was closed'],
];

/**
 * Why the store cannot serve, when `error` (or an error that caused it: the writers wrap what the
 * driver threw) is the store's own failure; undefined for any other error.
 */
export function storeFaultCause(error: unknown, depth = 0): string | undefined {
  const own = ownFaultCause(error);
  if (own !== undefined || depth >= 5) return own;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? undefined : storeFaultCause(cause, depth + 1);
}

function ownFaultCause(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const table = code.startsWith('SQLITE_') ? SQLITE_FAULTS : POSTGRES_FAULTS;
    const match = table.find(([prefix]) => code.startsWith(prefix));
    if (match) return `${match[1]} (${code})`;
  }
  const message = error instanceof Error ? error.message : '';
  if (/Connection terminated|connection is closed|the SQLite writer thread/i.test(message)) {
    return `the store's connection was lost (${message})`;
  }
  return undefined;
}

export interface StoreFault {
  cause: string;
  at: Date;
}

/** Runs statements on `inner`, turning the store's own failures into STORE_UNAVAILABLE. */
export class FaultReportingExecutor implements Executor {
  private fault: StoreFault | undefined;

  constructor(private readonly inner: Executor) {}

  /** The last write failure of the store itself, until a write lands again. */
  get lastFault(): StoreFault | undefined {
    return this.fault;
  }

  async read(statement: Statement): Promise<unknown[]> {
    try {
      return await this.inner.read(statement);
    } catch (error) {
      throw this.mapped(error, 'read');
    }
  }

  async write(statements: WriteStatement[]): Promise<StatementResult[]> {
    try {
      const results = await this.inner.write(statements);
      this.fault = undefined;
      return results;
    } catch (error) {
      const mapped = this.mapped(error, 'write');
      if (mapped !== error) this.fault = { cause: (mapped as DomainError).message, at: new Date() };
      throw mapped;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private mapped(error: unknown, what: 'read' | 'write'): unknown {
    const cause = storeFaultCause(error);
    if (cause === undefined) return error;
    return new DomainError('STORE_UNAVAILABLE', `the store cannot ${what}: ${cause}`);
  }
}
