/**
 * How the store runs its queries: Kysely builds and compiles them; an Executor runs the compiled
 * statements. A write is a list of statements that land together or not at all, as data rather
 * than closures, so that SQLite's can run on a thread of their own (sqlite-writer.ts) while the
 * event loop keeps serving. No imports: the writer thread loads this module, and starts faster.
 */

export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

export interface WriteStatement extends Statement {
  /** Runs only when the statement before it returned or changed rows (e.g. an insert's children). */
  ifPrevious?: boolean;
}

export interface StatementResult<Row = unknown> {
  rows: Row[];
  /** Rows inserted, updated or deleted (for a statement with RETURNING: the rows returned). */
  changes: number;
}

export interface Executor {
  read(statement: Statement): Promise<unknown[]>;
  /** Runs the statements in one transaction; resolves once it is committed. */
  write(statements: WriteStatement[]): Promise<StatementResult[]>;
  /** Stops writing; the connection Kysely holds is closed by Kysely. */
  close(): Promise<void>;
}

export function statement(query: Statement, ifPrevious = false): WriteStatement {
  return ifPrevious
    ? { sql: query.sql, parameters: query.parameters, ifPrevious }
    : { sql: query.sql, parameters: query.parameters };
}

/** Whether a statement marked ifPrevious runs after this result. */
export function touchedRows(result: StatementResult | undefined): boolean {
  return result !== undefined && (result.rows.length > 0 || result.changes > 0);
}
