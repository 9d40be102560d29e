/** Writes run in place through Kysely: PostgreSQL's pool, or an in-memory SQLite connection. */
import { CompiledQuery, type Kysely } from 'kysely';
import { type StatementResult, touchedRows, type WriteStatement, type Writer } from './writes';

/** One transaction per write (a single statement is atomic on its own). */
export class KyselyWriter<DB> implements Writer {
  constructor(private readonly db: Kysely<DB>) {}

  async run(statements: WriteStatement[]): Promise<StatementResult[]> {
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

async function execute<DB>(db: Kysely<DB>, each: WriteStatement): Promise<StatementResult> {
  const result = await db.executeQuery(CompiledQuery.raw(each.sql, [...each.parameters]));
  const changes = result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
  return { rows: result.rows as unknown[], changes };
}
