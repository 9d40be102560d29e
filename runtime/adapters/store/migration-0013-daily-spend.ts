/**
 * Migration 0013: the spend of ended applications summed per UTC day, cluster, job, user, state
 * and currency (daily_spend), so that the cost report and a cluster's summary add up a row per
 * group and day instead of every application of their range. Triggers on applications keep it
 * exact in the transaction that writes an application's end or metrics: an application's
 * contribution is taken out of its old group and added to its new one. Existing applications are
 * summed in. Absent values are '' in the keys (primary keys hold no NULL) and 0 in the sums (a
 * sum of nothing reads 0 either way).
 *
 * With the sums there, the index that led with the cluster (0007) serves nothing: every cluster's
 * range reads daily_spend, and the part days at a range's edges read the index that leads with
 * the end. That one now holds ended applications only, so a submission and a running
 * application's updates no longer write it.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectCodec } from './dialect';
import { SUMMED } from './migration-0007-spend-covering';

/** The group of an application row (NEW or OLD), as daily_spend keys it. */
const KEYS: [column: string, of: (row: string) => string][] = [
  ['cluster_id', (r) => `${r}.cluster_id`],
  ['job_id', (r) => `coalesce(${r}.job_id, '')`],
  ['user_id', (r) => `coalesce(${r}.user_id, '')`],
  ['state', (r) => `${r}.state`],
  ['currency', (r) => `coalesce(${r}.currency, '')`],
];

/** What an application adds to its group. */
const SUMS: [column: string, of: (row: string) => string][] = [
  ['applications', () => '1'],
  ...['cost', 'core_seconds', 'duration_ms', 'input_bytes', 'output_bytes', 'task_ms'].map(
    (c): [string, (row: string) => string] => [c, (r) => `coalesce(${r}.${c}, 0)`],
  ),
  ['measured', (r) => `case when ${r}.core_seconds is null then 0 else 1 end`],
];

/** The UTC day ("YYYY-MM-DD") of a timestamp column, as each dialect stores timestamps. */
export function utcDayOf(codec: DialectCodec, column: string): string {
  return codec.kind === 'sqlite' ? `substr(${column}, 1, 10)` : `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`;
}

/** The trigger statements that move a row's contribution: out of OLD's group, into NEW's. */
function changes(codec: DialectCodec): { remove: string; add: string } {
  const keyColumns = ['day', ...KEYS.map(([c]) => c)];
  const keysOf = (r: string) => [utcDayOf(codec, `${r}.ended_at`), ...KEYS.map(([, of]) => of(r))];
  const oldGroup = keyColumns.map((c, i) => `${c} = ${keysOf('OLD')[i]}`).join(' and ');
  const remove = [
    `update daily_spend set ${SUMS.map(([c, of]) => `${c} = ${c} - ${of('OLD')}`).join(', ')} where ${oldGroup}`,
    // an emptied group goes: its float sums keep no remainder of what left it
    `delete from daily_spend where applications = 0 and ${oldGroup}`,
  ].join(';\n');
  const add = `insert into daily_spend (${[...keyColumns, ...SUMS.map(([c]) => c)].join(', ')})
    select ${[...keysOf('NEW'), ...SUMS.map(([, of]) => of('NEW'))].join(', ')} where NEW.ended_at is not null
    on conflict (${keyColumns.join(', ')}) do update set ${SUMS.map(([c]) => `${c} = daily_spend.${c} + excluded.${c}`).join(', ')}`;
  return { remove, add };
}

/** The columns whose change moves an application's contribution. */
const WATCHED = ['ended_at', ...KEYS.map(([c]) => c), ...SUMS.slice(1, -1).map(([c]) => c)].join(', ');

export function dailySpend(codec: DialectCodec): Migration {
  const number = codec.kind === 'sqlite' ? 'real' : 'double precision';
  return {
    async up(db: Kysely<unknown>) {
      let table = db.schema.createTable('daily_spend').addColumn('day', 'text', (c) => c.notNull());
      for (const [column] of KEYS) table = table.addColumn(column, 'text', (c) => c.notNull());
      table = table.addColumn('applications', 'integer', (c) => c.notNull());
      for (const [column] of SUMS.slice(1, -1)) table = table.addColumn(column, number, (c) => c.notNull());
      table = table
        .addColumn('measured', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('daily_spend_key', ['day', ...KEYS.map(([c]) => c)] as never);
      // SQLite keeps the rows in the key's order: a range of days is one contiguous read
      if (codec.kind === 'sqlite') table = table.modifyEnd(sql`without rowid`);
      await table.execute();

      const row = (of: (r: string) => string) => of('a');
      await sql
        .raw(
          `insert into daily_spend (day, ${KEYS.map(([c]) => c).join(', ')}, ${SUMS.map(([c]) => c).join(', ')})
           select ${utcDayOf(codec, 'a.ended_at')}, ${KEYS.map(([, of]) => row(of)).join(', ')},
             ${SUMS.map(([, of]) => `sum(${row(of)})`).join(', ')}
           from applications a where a.ended_at is not null
           group by ${utcDayOf(codec, 'a.ended_at')}, ${KEYS.map(([, of]) => row(of)).join(', ')}`,
        )
        .execute(db);

      const { remove, add } = changes(codec);
      if (codec.kind === 'sqlite') {
        await sql
          .raw(
            `create trigger daily_spend_inserted after insert on applications
          when NEW.ended_at is not null begin ${add}; end`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger daily_spend_updated after update of ${WATCHED} on applications
          when OLD.ended_at is not null or NEW.ended_at is not null begin ${remove}; ${add}; end`,
          )
          .execute(db);
      } else {
        await sql
          .raw(
            `create function daily_spend_apply() returns trigger language plpgsql as $$
          begin
            if tg_op = 'UPDATE' then ${remove}; end if;
            ${add};
            return null;
          end $$`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger daily_spend_inserted after insert on applications for each row
          when (NEW.ended_at is not null) execute function daily_spend_apply()`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger daily_spend_updated after update of ${WATCHED} on applications for each row
          when (OLD.ended_at is not null or NEW.ended_at is not null) execute function daily_spend_apply()`,
          )
          .execute(db);
      }

      await db.schema.dropIndex('applications_cluster_ended_spend_covering').execute();
      await db.schema.dropIndex('applications_ended_spend_covering').execute();
      await db.schema
        .createIndex('applications_ended_spend_covering')
        .on('applications')
        .columns(['ended_at', 'cluster_id', ...SUMMED])
        .where(sql.ref('ended_at'), 'is not', null)
        .execute();
    },
  };
}
