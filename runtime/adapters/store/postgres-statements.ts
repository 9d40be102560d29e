/**
 * How statements are sent to PostgreSQL. The statements run again and again (a submission's insert,
 * a read by id, a state change) are named: each connection parses and plans one once, then only
 * binds and runs it. The others are sent unnamed, parsed at every run and kept nowhere.
 */
import pg from 'pg';
import type { Statement } from './statements';

/** Runs of a SQL text before it is named: a text run once is not kept by every connection. */
const RUNS_BEFORE_NAMED = 2;
/** Most texts named: every connection that runs one keeps it. */
const MAX_NAMED = 200;
/** Most texts counted before they are named: past it the counts start over. */
const MAX_COUNTED = 1000;

export class PreparedNames {
  private readonly names = new Map<string, string>();
  private runs = new Map<string, number>();
  private named = 0;

  query(statement: Statement): pg.QueryConfig {
    const text = statement.sql;
    const values = statement.parameters as unknown[];
    const name = this.names.get(text) ?? this.count(text);
    return name === undefined ? { text, values } : { name, text, values };
  }

  /**
   * Stops using the name of a statement whose prepared form went stale; it runs unnamed, then
   * under a new name (the old one stays prepared, unused, on the connections that ran it).
   */
  forget(statement: Statement): void {
    this.names.delete(statement.sql);
  }

  private count(text: string): string | undefined {
    if (this.names.size >= MAX_NAMED) return undefined;
    const runs = (this.runs.get(text) ?? 0) + 1;
    if (runs < RUNS_BEFORE_NAMED) {
      if (this.runs.size >= MAX_COUNTED) this.runs = new Map();
      this.runs.set(text, runs);
      return undefined;
    }
    this.runs.delete(text);
    this.named += 1;
    const name = `sparkplane_${this.named}`;
    this.names.set(text, name);
    return name;
  }
}

/**
 * A named statement refused because the schema changed under it (another replica migrated, adding
 * a column to a `select *`): "cached plan must not change result type". Unnamed, it runs.
 * (Told by the server's routine, not its message, which may be translated.)
 */
export function stalePlan(error: Error): boolean {
  return error instanceof pg.DatabaseError && error.code === '0A000' && error.routine === 'RevalidateCachedQuery';
}

/** A statement the server refused with an ERROR: its transaction is aborted, its session goes on. */
export function refusedAlone(error: Error): boolean {
  return error instanceof pg.DatabaseError && error.severity === 'ERROR';
}

/**
 * What is sent on the connection in this tick goes in one packet: statements sent one by one
 * would cost a system call each, and wake the server's process each.
 */
export function sendTogether(client: pg.ClientBase & { connection: pg.Connection }): void {
  const socket = client.connection.stream;
  socket.cork();
  process.nextTick(() => socket.uncork());
}
