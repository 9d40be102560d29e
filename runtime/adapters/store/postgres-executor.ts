/**
 * PostgreSQL: reads are sent in groups on pooled connections (postgres-reader.ts); writes are
 * committed in groups on a connection of their own (postgres-writer.ts).
 */
import type { PostgresReader } from './postgres-reader';
import type { PostgresWriter } from './postgres-writer';
import type { Executor, Statement, StatementResult, WriteStatement } from './statements';

export class PostgresExecutor implements Executor {
  constructor(
    private readonly reader: PostgresReader,
    private readonly writer: PostgresWriter,
  ) {}

  read(statement: Statement): Promise<unknown[]> {
    return this.reader.read(statement);
  }

  write(statements: WriteStatement[]): Promise<StatementResult[]> {
    return this.writer.write(statements);
  }

  /** Commits the writes already made; the pool is closed by Kysely. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
