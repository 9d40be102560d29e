/**
 * Compiled statements run on one better-sqlite3 connection: the writer thread's (sqlite-writer-
 * worker.ts), and the event loop's for reads and for in-memory databases. Statements are prepared
 * once per SQL text.
 */
import type SqliteDatabase from 'better-sqlite3';
import { type Statement, type StatementResult, touchedRows, type WriteStatement } from './statements';

/** One write of a batch, numbered so that its answer finds its caller. */
export interface WriteRequest {
  id: number;
  statements: WriteStatement[];
}

export type WriteAnswer =
  | { id: number; results: StatementResult[]; error?: undefined }
  | { id: number; error: { message: string; code?: string } };

/** Most statements kept prepared: past it the cache starts over. */
const MAX_PREPARED = 1000;

export class SqliteStatements {
  private readonly prepared = new Map<string, SqliteDatabase.Statement>();
  private readonly begin: SqliteDatabase.Statement;
  private readonly commit: SqliteDatabase.Statement;
  private readonly rollback: SqliteDatabase.Statement;
  private readonly savepoint: SqliteDatabase.Statement;
  private readonly release: SqliteDatabase.Statement;
  private readonly rollbackToSavepoint: SqliteDatabase.Statement;

  constructor(private readonly database: SqliteDatabase.Database) {
    // IMMEDIATE takes the write lock at once (waiting up to the busy timeout for another process)
    this.begin = database.prepare('BEGIN IMMEDIATE');
    this.commit = database.prepare('COMMIT');
    this.rollback = database.prepare('ROLLBACK');
    this.savepoint = database.prepare('SAVEPOINT write');
    this.release = database.prepare('RELEASE write');
    this.rollbackToSavepoint = database.prepare('ROLLBACK TO write');
  }

  read(statement: Statement): unknown[] {
    return this.prepare(statement.sql).all(...statement.parameters);
  }

  /**
   * Runs the writes in one transaction, each alone under a savepoint, so that a failing one fails
   * alone; answers each once the transaction is committed (or every one with the commit's error).
   */
  runBatch(batch: WriteRequest[]): WriteAnswer[] {
    const failAll = (error: unknown) => batch.map((request) => ({ id: request.id, error: describe(error) }));
    try {
      this.begin.run();
    } catch (error) {
      return failAll(error);
    }
    const answers: WriteAnswer[] = [];
    for (const request of batch) {
      const answer = this.runWrite(request);
      // some errors (a full disk, I/O) roll back the whole transaction: none of the batch is committed
      if (!this.database.inTransaction) {
        return failAll(new Error(`the transaction was rolled back: ${answer.error?.message}`));
      }
      answers.push(answer);
    }
    try {
      this.commit.run();
      return answers;
    } catch (error) {
      if (this.database.inTransaction) this.rollback.run();
      return failAll(error);
    }
  }

  /**
   * A write of one statement needs no savepoint: a statement that fails is undone on its own and
   * the transaction goes on. A write of several is undone whole when one of them fails.
   */
  private runWrite(request: WriteRequest): WriteAnswer {
    const several = request.statements.length > 1;
    if (several) this.savepoint.run();
    try {
      const results: StatementResult[] = [];
      for (const each of request.statements) {
        const skip = each.ifPrevious === true && !touchedRows(results[results.length - 1]);
        results.push(skip ? { rows: [], changes: 0 } : this.execute(each));
      }
      if (several) this.release.run();
      return { id: request.id, results };
    } catch (error) {
      if (several && this.database.inTransaction) {
        this.rollbackToSavepoint.run();
        this.release.run();
      }
      return { id: request.id, error: describe(error) };
    }
  }

  private execute(each: Statement): StatementResult {
    const prepared = this.prepare(each.sql);
    if (prepared.reader) {
      const rows = prepared.all(...each.parameters);
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: prepared.run(...each.parameters).changes };
  }

  private prepare(sql: string): SqliteDatabase.Statement {
    let prepared = this.prepared.get(sql);
    if (!prepared) {
      if (this.prepared.size >= MAX_PREPARED) this.prepared.clear();
      prepared = this.database.prepare(sql);
      this.prepared.set(sql, prepared);
    }
    return prepared;
  }
}

/** The error of a failed write, as it crosses from the writer thread. */
function describe(error: unknown): { message: string; code?: string } {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The error a caller sees for a failed write (SQLite's code kept, e.g. SQLITE_CONSTRAINT_FOREIGNKEY). */
export function answerError(error: { message: string; code?: string }): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}
