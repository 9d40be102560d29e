/**
 * PostgreSQL: writes committed in groups on one connection of their own. Writes that arrive while a
 * transaction is being committed are committed together in the next one, each under a savepoint
 * of its own so that a failing one fails alone (in PostgreSQL a failed statement aborts its whole
 * transaction). A write is answered only once the COMMIT that holds it has returned.
 *
 * The connection is pipelined: the statements of a transaction are sent without waiting for the
 * answers of those before them, so a group of writes costs about two round trips (its writes, its
 * COMMIT) however many it holds.
 */
import pg from 'pg';
import type { Logger } from '../../domain/ports';
import { type PreparedNames, refusedAlone, sendTogether, stalePlan } from './postgres-statements';
import { type StatementResult, touchedRows, type WriteStatement } from './statements';

/**
 * Most writes in one transaction: PostgreSQL keeps the ids of 64 subtransactions (savepoints that
 * wrote) per transaction in shared memory; past them, the snapshots other sessions take while it
 * runs get slower.
 */
const MAX_BATCH = 64;

const DEADLOCK_DETECTED = '40P01';

interface Pending {
  statements: WriteStatement[];
  /** Set once the write has been sent again after a refusal that retrying cures. */
  retried?: boolean;
  resolve: (results: StatementResult[]) => void;
  reject: (error: Error) => void;
}

/** An answer of the server as a value: pipelined answers arrive before they are awaited. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** The batch cannot go on: none of its writes is committed (or, during COMMIT, known to be). */
class Interrupted extends Error {}

export class PostgresWriter {
  private queue: Pending[] = [];
  /** Set while writes are queued or being committed; close waits for it. */
  private flushing: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly names: PreparedNames,
    private readonly logger: Logger,
  ) {}

  /** Runs the statements in one transaction, with the writes of the same turn; resolves once committed. */
  write(statements: WriteStatement[]): Promise<StatementResult[]> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve, reject });
      // the writes made in this turn of the event loop join the batch
      this.flushing ??= new Promise((next) => setImmediate(next)).then(() => this.drain());
    });
  }

  /** Commits the writes already queued, then closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_BATCH));
    this.flushing = undefined;
  }

  /** Commits one batch and answers each of its writes; never throws. */
  private async commit(batch: Pending[]): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      const failure = new Error(`cannot connect to PostgreSQL to write: ${messageOf(error)}`, { cause: error });
      for (const write of batch) write.reject(failure);
      return;
    }
    const errors = new Map<Pending, Error>();
    const results = new Map<Pending, StatementResult[]>();
    const retries: Pending[] = [];
    try {
      sendTogether(client);
      const begin = send(client, 'BEGIN');
      let from = 0;
      while (from < batch.length) {
        if (from > 0) sendTogether(client);
        const failed = await this.runWrites(client, batch.slice(from), results);
        if (failed === undefined) break;
        if (this.retryable(failed.write, failed.error)) retries.push(failed.write);
        else errors.set(failed.write, failed.error);
        // the failed write is undone alone; the writes sent after it failed only because the
        // transaction was aborted meanwhile: they are sent again
        const undo = await Promise.all([
          send(client, 'ROLLBACK TO SAVEPOINT write'),
          send(client, 'RELEASE SAVEPOINT write'),
        ]);
        for (const each of undo) if (!each.ok) throw interrupted(each.error);
        from = batch.indexOf(failed.write) + 1;
      }
      const begun = await begin;
      if (!begun.ok) throw interrupted(begun.error);
      const commit = await send(client, 'COMMIT');
      if (!commit.ok) {
        throw refusedAlone(commit.error)
          ? new Interrupted(`PostgreSQL refused the COMMIT (${commit.error.message}): the write was not committed`, {
              cause: commit.error,
            })
          : new Interrupted(
              `the connection to PostgreSQL failed during COMMIT (${commit.error.message}): the write may or may not have been committed`,
              { cause: commit.error },
            );
      }
      // an aborted transaction answers COMMIT with ROLLBACK
      if (commit.value.command !== 'COMMIT') {
        throw interrupted(new Error(`the transaction ended in ${commit.value.command}`));
      }
    } catch (error) {
      const failure = error instanceof Interrupted ? error : interrupted(error);
      // a fresh connection is in no transaction, whatever state this one was left in
      this.discard(client);
      for (const write of batch) write.reject(errors.get(write) ?? failure);
      return;
    }
    for (const write of batch) {
      const error = errors.get(write);
      if (error) write.reject(error);
      else if (!retries.includes(write)) write.resolve(results.get(write)!);
    }
    // first in the next batch
    this.queue.unshift(...retries);
  }

  /**
   * Whether a write the server refused alone (and that was undone) is sent again, once: when it
   * was picked to break a deadlock with another session (e.g. another replica's batch), or when
   * one of its named statements went stale (it runs unnamed).
   */
  private retryable(write: Pending, error: Error): boolean {
    if (write.retried) return false;
    const stale = stalePlan(error);
    if (stale) for (const each of write.statements) this.names.forget(each);
    write.retried = stale || (error as pg.DatabaseError).code === DEADLOCK_DETECTED;
    return write.retried;
  }

  /**
   * Sends the writes in order, each under its savepoint, and records the results of those before
   * the first that fails; returns that one, when the server refused it alone (else throws).
   */
  private async runWrites(
    client: pg.Client,
    writes: Pending[],
    results: Map<Pending, StatementResult[]>,
  ): Promise<{ write: Pending; error: Error } | undefined> {
    const runs: Promise<Settled<StatementResult[]>>[] = [];
    for (const write of writes) {
      const run = this.runWrite(client, write.statements);
      runs.push(run);
      // its conditional statements were sent after an answer: nothing else was sent meanwhile
      if (write.statements.some((each) => each.ifPrevious) && !(await run).ok) break;
    }
    const outcomes = await Promise.all(runs);
    for (const [index, outcome] of outcomes.entries()) {
      if (!outcome.ok) {
        if (!refusedAlone(outcome.error)) throw interrupted(outcome.error);
        return { write: writes[index]!, error: outcome.error };
      }
      results.set(writes[index]!, outcome.value);
    }
    return undefined;
  }

  /** One write under a savepoint; only a statement marked ifPrevious waits for an answer. */
  private async runWrite(client: pg.Client, statements: WriteStatement[]): Promise<Settled<StatementResult[]>> {
    const savepoint = send(client, 'SAVEPOINT write');
    const sent: Promise<Settled<StatementResult>>[] = [];
    for (const each of statements) {
      if (each.ifPrevious) {
        const previous = await sent[sent.length - 1];
        if (previous?.ok === false) return previous;
        if (!touchedRows(previous?.value)) {
          sent.push(Promise.resolve({ ok: true, value: { rows: [], changes: 0 } }));
          continue;
        }
      }
      sent.push(send(client, this.names.query(each)).then(toResult));
    }
    const release = send(client, 'RELEASE SAVEPOINT write');
    const opened = await savepoint;
    const done = allOk(await Promise.all(sent));
    const released = await release;
    // the first failure in the order sent: those after it follow from it
    if (!opened.ok) return opened;
    if (!done.ok) return done;
    if (!released.ok) return released;
    return done;
  }

  /** The connection, opened again when it was lost. */
  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.connectionString,
      pipeline: true,
      // how an operator tells it apart in pg_stat_activity (unless the URL names one)
      fallback_application_name: 'sparkplane-writer',
    });
    // a lost connection must not crash the process: its batch fails, the next write reconnects
    client.on('error', (error) => {
      if (this.client === client) this.client = undefined;
      this.logger.warn({ err: error }, 'PostgreSQL write connection lost: the next write reconnects');
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private discard(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
  }
}

function interrupted(error: unknown): Interrupted {
  const message = `the PostgreSQL write transaction was interrupted (${messageOf(error)}): the write was not committed`;
  return new Interrupted(message, { cause: error });
}

function send(client: pg.Client, query: string | pg.QueryConfig): Promise<Settled<pg.QueryResult>> {
  return client.query(query).then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

function toResult(answer: Settled<pg.QueryResult>): Settled<StatementResult> {
  if (!answer.ok) return answer;
  const { rows, rowCount } = answer.value;
  return { ok: true, value: { rows: rows as unknown[], changes: rowCount ?? rows.length } };
}

function allOk<T>(outcomes: Settled<T>[]): Settled<T[]> {
  const values: T[] = [];
  for (const each of outcomes) {
    if (!each.ok) return each;
    values.push(each.value);
  }
  return { ok: true, value: values };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
