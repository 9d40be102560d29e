/**
 * Migration 0016: two more summaries of ended applications' spend, kept by triggers like
 * daily_spend (0013), so that the cost report reads few rows where each job runs about once a
 * day (and daily_spend holds a row per run):
 *   - weekly_spend: daily_spend's groups per UTC week (from Monday). A range's totals per group
 *     read its whole weeks there and only the days at its edges from daily_spend;
 *   - daily_totals: per UTC day, cluster and currency. The report's total of each day reads a
 *     row per cluster instead of a row per group;
 *   - daily_spend_job_day: the days of given jobs (the report's top groups per day) without
 *     reading every group of the range.
 */
import type { Kysely, Migration } from 'kysely';
import type { DialectCodec } from './dialect';
import { createSpendSummary, DAILY_KEYS, utcDayOf } from './migration-0013-daily-spend';

/** The Monday ("YYYY-MM-DD") of the UTC week of a timestamp column. */
export function utcWeekOf(codec: DialectCodec, column: string): string {
  return codec.kind === 'sqlite'
    ? `date(substr(${column}, 1, 10), '-6 days', 'weekday 1')`
    : `to_char(date_trunc('week', ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
}

export function spendRollups(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createSpendSummary(db, codec, {
        table: 'weekly_spend',
        period: ['week', (r) => utcWeekOf(codec, `${r}.ended_at`)],
        keys: DAILY_KEYS,
      });
      await createSpendSummary(db, codec, {
        table: 'daily_totals',
        period: ['day', (r) => utcDayOf(codec, `${r}.ended_at`)],
        keys: DAILY_KEYS.filter(([column]) => column === 'cluster_id' || column === 'currency'),
      });
      await db.schema.createIndex('daily_spend_job_day').on('daily_spend').columns(['job_id', 'day']).execute();
    },
  };
}
