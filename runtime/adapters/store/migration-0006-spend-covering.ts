/**
 * Migration 0006: the indexes of the spend sums (Store.sumSpend) cover every column they read.
 * 0005's applications_ended_spend and applications_cluster_ended lacked bytes, task time,
 * currency and id, so each of the cost report's and a cluster summary's sums fetched every
 * application of its range from the table (a random read per row); with them in the index, a sum
 * reads the index only. One index leads with the range (every cluster), one with the cluster.
 */
import type { Kysely, Migration } from 'kysely';

/** What the sums filter and group by, then what they add up (id: the label join). */
const SUMMED = [
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

export function coveringSpendIndexes(): Migration {
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
    },
  };
}
