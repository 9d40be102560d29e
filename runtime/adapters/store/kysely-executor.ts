/** Statements run in place through Kysely's connection pool (PostgreSQL). */
import { CompiledQuery, type Kysely } from 'kysely';
import { type Executor, type Statement, type StatementResult, touchedRows, type WriteStatement } from './statements';

export class KyselyExecutor<DB> implements Executor {
  constructor(private readonly db: Kysely<DB>) {}

  async read(statement: Statement): Promise<unknown[]> {
    return (await execute(this.db, statement)).rows;
  }

  /** One transaction per write (a single statement is atomic on its own). */
  async write(statements: WriteStatement[]): Promise<StatementResult[]> {
    if (statements.length === 1) return [await execute(this.db, statements[0]!)];
    return this.db.transaction().execute(async (trx) => {
      const results: StatementResult[] = [];
      for (const each of statements) {
        results.push(
          each.ifPrevious && !touchedRows(results[results.length - 1])
            ? { rows: [], changes: 0 }
            : await execute(trx, each),
        );
      }
      return results;
    });
  }

  async close(): Promise<void> {}
}

async function execute<DB>(db: Kysely<DB>, each: Statement): Promise<StatementResult> {
  const result = await db.executeQuery(CompiledQuery.raw(each.sql, [...each.parameters]));
  const changes = result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
  return { rows: result.rows as unknown[], changes };
}
