/**
 * Migration 0015: the FAILED applications whose failure is not recorded yet, the ends whose
 * follow-up (classification, retry) did not finish, found at start without reading every failed
 * run: a partial index, empty but for the ends in progress (and the failed runs of before 0011).
 */
import { type Kysely, type Migration, sql } from 'kysely';

export function unfinishedFailures(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('applications_unfinished_failures')
        .on('applications')
        // state first, though constant: SQLite then prefers it to the index on (state, created_at)
        .columns(['state', 'id'])
        .where(sql.ref('state'), '=', 'FAILED')
        .where(sql.ref('failure'), 'is', null)
        .execute();
    },
  };
}
