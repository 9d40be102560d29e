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

/** A column of a summary and its value for an application row (NEW, OLD or a). */
export type Summed = [column: string, of: (row: string) => string];

/** A summary of ended applications' spend kept by triggers: its table, period and group keys. */
export interface SpendSummary {
  table: string;
  /** The period column and its value for a row. */
  period: Summed;
  keys: Summed[];
}

/** The group of an application row (NEW or OLD), as daily_spend keys it. */
export const DAILY_KEYS: Summed[] = [
  ['cluster_id', (r) => `${r}.cluster_id`],
  ['job_id', (r) => `coalesce(${r}.job_id, '')`],
  ['user_id', (r) => `coalesce(${r}.user_id, '')`],
  ['state', (r) => `${r}.state`],
  ['currency', (r) => `coalesce(${r}.currency, '')`],
];

/** What an application adds to its group. */
const SUMS: Summed[] = [
  ['applications', () => '1'],
  ...['cost', 'core_seconds', 'duration_ms', 'input_bytes', 'output_bytes', 'task_ms'].map((c): Summed => [
    c,
    (r) => `coalesce(${r}.${c}, 0)`,
  ]),
  ['measured', (r) => `case when ${r}.core_seconds is null then 0 else 1 end`],
];

/** The UTC day ("YYYY-MM-DD") of a timestamp column, as each dialect stores timestamps. */
export function utcDayOf(codec: DialectCodec, column: string): string {
  return codec.kind === 'sqlite' ? `substr(${column}, 1, 10)` : `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`;
}

/** The trigger statements that move a row's contribution: out of OLD's group, into NEW's. */
function changes(summary: SpendSummary): { remove: string; add: string } {
  const { table } = summary;
  const columns = [summary.period, ...summary.keys];
  const keyColumns = columns.map(([c]) => c);
  const keysOf = (r: string) => columns.map(([, of]) => of(r));
  const oldGroup = keyColumns.map((c, i) => `${c} = ${keysOf('OLD')[i]}`).join(' and ');
  const remove = [
    `update ${table} set ${SUMS.map(([c, of]) => `${c} = ${c} - ${of('OLD')}`).join(', ')} where ${oldGroup}`,
    // an emptied group goes: its float sums keep no remainder of what left it
    `delete from ${table} where applications = 0 and ${oldGroup}`,
  ].join(';\n');
  const add = `insert into ${table} (${[...keyColumns, ...SUMS.map(([c]) => c)].join(', ')})
    select ${[...keysOf('NEW'), ...SUMS.map(([, of]) => of('NEW'))].join(', ')} where NEW.ended_at is not null
    on conflict (${keyColumns.join(', ')}) do update set ${SUMS.map(([c]) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`;
  return { remove, add };
}

/**
 * Creates the summary's table, sums the ended applications into it, and adds the triggers that
 * keep it exact: after an insert, and after an update of a column that moves a row's
 * contribution (its end, its keys, its sums).
 */
export async function createSpendSummary(db: Kysely<unknown>, codec: DialectCodec, summary: SpendSummary) {
  const { table } = summary;
  const number = codec.kind === 'sqlite' ? 'real' : 'double precision';
  const keyColumns = [summary.period, ...summary.keys].map(([c]) => c);
  let create = db.schema.createTable(table);
  for (const column of keyColumns) create = create.addColumn(column, 'text', (c) => c.notNull());
  create = create.addColumn('applications', 'integer', (c) => c.notNull());
  for (const [column] of SUMS.slice(1, -1)) create = create.addColumn(column, number, (c) => c.notNull());
  create = create
    .addColumn('measured', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_key`, keyColumns as never);
  // SQLite keeps the rows in the key's order: a range of periods is one contiguous read
  if (codec.kind === 'sqlite') create = create.modifyEnd(sql`without rowid`);
  await create.execute();

  const groups = [summary.period, ...summary.keys].map(([, of]) => of('a'));
  await sql
    .raw(
      `insert into ${table} (${keyColumns.join(', ')}, ${SUMS.map(([c]) => c).join(', ')})
           select ${groups.join(', ')},
             ${SUMS.map(([, of]) => `sum(${of('a')})`).join(', ')}
           from applications a where a.ended_at is not null
           group by ${groups.join(', ')}`,
    )
    .execute(db);

  const { remove, add } = changes(summary);
  const watched = ['ended_at', ...summary.keys.map(([c]) => c), ...SUMS.slice(1, -1).map(([c]) => c)].join(', ');
  if (codec.kind === 'sqlite') {
    await sql
      .raw(
        `create trigger ${table}_inserted after insert on applications
          when NEW.ended_at is not null begin ${add}; end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_updated after update of ${watched} on applications
          when OLD.ended_at is not null or NEW.ended_at is not null begin ${remove}; ${add}; end`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create function ${table}_apply() returns trigger language plpgsql as $$
          begin
            if tg_op = 'UPDATE' then ${remove}; end if;
            ${add};
            return null;
          end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_inserted after insert on applications for each row
          when (NEW.ended_at is not null) execute function ${table}_apply()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_updated after update of ${watched} on applications for each row
          when (OLD.ended_at is not null or NEW.ended_at is not null) execute function ${table}_apply()`,
      )
      .execute(db);
  }
}

export function dailySpend(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createSpendSummary(db, codec, {
        table: 'daily_spend',
        period: ['day', (r) => utcDayOf(codec, `${r}.ended_at`)],
        keys: DAILY_KEYS,
      });

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
