/**
 * Migration 0006: the index of the spend sums (Store.sumSpend) covers every column they read.
 * 0005's applications_ended_spend lacked bytes, task time, currency and id, so each of the cost
 * report's sums fetched every application row of its range from the table (a random read per
 * row); with them in the index, a sum reads the index only.
 */
import type { Kysely, Migration } from 'kysely';

export function coveringSpendIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('applications_ended_spend_covering')
        .on('applications')
        .columns([
          // the range, then what the sums filter and group by, then what they add up (id: the label join)
          'ended_at',
          'cluster_id',
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
        ])
        .execute();
      // a prefix of the new one: every query it served, the new one serves
      await db.schema.dropIndex('applications_ended_spend').execute();
    },
  };
}
