/**
 * PostgreSQL reads, sent in groups: the reads made in one turn of the event loop (the requests
 * that arrived together) go, pipelined, on one pooled connection in one packet. A packet per read
 * would cost a system call and a wake-up of a server process each: on a busy machine, more than
 * running the read. Each read is its own statement and fails alone; it is answered as soon as its
 * rows arrive (a named statement gone stale is run again, unnamed).
 */
import type pg from 'pg';
import { type PreparedNames, refusedAlone, sendTogether, stalePlan } from './postgres-statements';
import type { Statement } from './statements';

/** Most reads on one connection at once: bounds how long a slow one holds up those behind it. */
const MAX_BATCH = 32;

interface Pending {
  statement: Statement;
  resolve: (rows: unknown[]) => void;
  reject: (error: Error) => void;
}

export class PostgresReader {
  /** The reads waiting for a connection: reads made meanwhile join them. */
  private forming: Pending[] | undefined;

  /** `pool` must make pipelined clients (`pipeline: true`). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly names: PreparedNames,
  ) {}

  read(statement: Statement): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      if (this.forming === undefined || this.forming.length >= MAX_BATCH) {
        const batch: Pending[] = [];
        this.forming = batch;
        // the reads made in this turn of the event loop join the batch
        setImmediate(() => void this.send(batch));
      }
      this.forming.push({ statement, resolve, reject });
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      if (this.forming === batch) this.forming = undefined;
      for (const read of batch) read.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.forming === batch) this.forming = undefined;
    // a checked-out client that loses its connection emits here, not to the pool
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    sendTogether(client);
    const answers = batch.map((read) => {
      const query = this.names.query(read.statement);
      return client.query(query).then(
        (result) => read.resolve(result.rows as unknown[]),
        (error: Error) => {
          if (query.name !== undefined && stalePlan(error)) {
            this.names.forget(read.statement);
            this.read(read.statement).then(read.resolve, read.reject);
            return;
          }
          // a statement the server refused leaves the connection fit for the next reads
          if (!refusedAlone(error)) lost ??= error;
          read.reject(error);
        },
      );
    });
    await Promise.all(answers);
    client.removeListener('error', onError);
    // the pool replaces a connection released with an error
    client.release(lost);
  }
}
