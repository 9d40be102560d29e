/**
 * Migration 0007: the indexes of the spend sums (Store.sumSpend) cover every column they read.
 * 0005's applications_ended_spend and applications_cluster_ended lacked bytes, task time,
 * currency and id, so each of the cost report's and a cluster summary's sums fetched every
 * application of its range from the table (a random read per row); with them in the index, a sum
 * reads the index only. One index leads with the range (every cluster), one with the cluster.
 * On PostgreSQL, statistics of the day an application ended let the sums per day be hashed.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectCodec } from './dialect';

/** What the sums filter and group by, then what they add up (id: the label join). */
export const SUMMED = [
  'job_id',
  'user_id',
  'state',
  'cost',
  'core_seconds',
  'duration_ms',
  'input_bytes',
  'output_bytes',
  'task_ms',
  'currency',
  'id',
];

export function coveringSpendIndexes(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('applications_ended_spend_covering')
        .on('applications')
        .columns(['ended_at', 'cluster_id', ...SUMMED])
        .execute();
      await db.schema
        .createIndex('applications_cluster_ended_spend_covering')
        .on('applications')
        .columns(['cluster_id', 'ended_at', ...SUMMED])
        .execute();
      // each is a prefix of a new one: every query it served, the new one serves
      await db.schema.dropIndex('applications_ended_spend').execute();
      await db.schema.dropIndex('applications_cluster_ended').execute();
      if (codec.kind === 'postgres') {
        // how many days the ended applications span (kept by ANALYZE): without it PostgreSQL takes
        // every row for its own day and sorts them all to sum per day, instead of hashing a few groups
        await sql`create statistics applications_ended_day on (date_trunc('day', ended_at at time zone 'UTC')) from applications`.execute(
          db,
        );
      }
    },
  };
}
