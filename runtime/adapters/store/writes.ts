/**
 * How the store writes: a write is a list of compiled statements that land together or not at
 * all. Writes are data rather than closures so that SQLite's can run on a thread of their own
 * (sqlite-writer.ts) while the event loop keeps serving; PostgreSQL runs them in place
 * (kysely-writer.ts). No imports: the writer thread loads this module, and starts faster without.
 */

export interface WriteStatement {
  sql: string;
  parameters: readonly unknown[];
  /** Runs only when the statement before it returned or changed rows (e.g. an insert's children). */
  ifPrevious?: boolean;
}

export interface StatementResult<Row = unknown> {
  rows: Row[];
  /** Rows inserted, updated or deleted (for a statement with RETURNING: the rows returned). */
  changes: number;
}

export interface Writer {
  /** Runs the statements in one transaction; resolves once it is committed. */
  run(statements: WriteStatement[]): Promise<StatementResult[]>;
  close(): Promise<void>;
}

export function statement(query: { sql: string; parameters: readonly unknown[] }, ifPrevious = false): WriteStatement {
  return ifPrevious
    ? { sql: query.sql, parameters: query.parameters, ifPrevious }
    : { sql: query.sql, parameters: query.parameters };
}

/** Whether a statement marked ifPrevious runs after this result. */
export function touchedRows(result: StatementResult | undefined): boolean {
  return result !== undefined && (result.rows.length > 0 || result.changes > 0);
}
