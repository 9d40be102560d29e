/**
 * The Store over Kysely: one implementation for SQLite and PostgreSQL. Dialect differences live in
 * the codec (column types, how values come back) and in open-store.ts (connections, pragmas).
 *
 * Race safety rests on unique constraints, not on reads before writes: inserts are
 * `INSERT ... ON CONFLICT DO NOTHING RETURNING` followed, when nothing was inserted, by a read of
 * the row that won. Under PostgreSQL's READ COMMITTED a conflicting insert waits for the other
 * transaction to commit, so the read that follows always finds the winner.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type Selectable,
  type RawBuilder,
  type SelectQueryBuilder,
  sql,
  type Updateable,
} from 'kysely';
import type { Application } from '../../domain/application';
import type { ConfigTemplate, JobSpec } from '../../domain/resources';
import { DomainError } from '../../domain/errors';
import type {
  ActivityInterval,
  ApiToken,
  ApplicationFilter,
  ApplicationSort,
  ApplicationUpdate,
  ClaimOptions,
  ConnectEndpoint,
  Clock,
  MeasuredRun,
  Page,
  SpendQuery,
  SpendRow,
  Store,
  StoredCluster,
  SessionState,
  StoredJob,
  StoredTemplate,
} from '../../domain/ports';
import { ACTIVE_STATES, type AppState, TERMINAL_STATES } from '../../domain/states';
import { checkLimit, decodeCursor, encodeCursor } from './cursor';
import { DEFAULT_SORT, decodeSortCursor, encodeSortCursor, NULLABLE_SORT, sortText, sortValue } from './sort-cursor';
import { writeJson, writeTime, type DialectCodec } from './dialect';
import { utcDayOf } from './migration-0013-daily-spend';
import { migrateToLatest } from './migrations';
import { type AdmissionLock, SerialLock } from './serial-lock';
import {
  applicationRow,
  type MeasuredRunRow,
  metricColumns,
  toApplication,
  toCluster,
  toJob,
  toMeasuredRun,
  toTemplate,
  toToken,
  tokenRow,
} from './rows';
import type { ApplicationsTable, Database } from './schema';
import { type Executor, statement, type StatementResult, type WriteStatement } from './statements';

/** The column of each sort key. */
const SORT_COLUMNS = {
  createdAt: 'created_at',
  startedAt: 'started_at',
  duration: 'duration_ms',
  cost: 'cost',
  coreHours: 'core_seconds',
} as const;

/** The column of each spend key (labels are joined). */
const SPEND_KEYS = {
  job: 'a.job_id',
  user: 'a.user_id',
  cluster: 'a.cluster_id',
  state: 'a.state',
  label: undefined,
} as const;

/** The column of each spend key in the summaries (labels are not summed there; daily_totals holds the cluster only). */
const DAILY_KEYS = { job: 'job_id', user: 'user_id', cluster: 'cluster_id', state: 'state' } as const;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05, the first Monday: weeks (weekly_spend) start on Mondays. */
const MONDAY_MS = 4 * DAY_MS;

/** The spend summaries of migrations 0013 and 0016. */
type SpendSummaryTable = 'daily_spend' | 'weekly_spend' | 'daily_totals';

/** A part of the spend union: one row per application or per summed day and group. */
type SpendPart = SelectQueryBuilder<
  Database & { a: ApplicationsTable },
  SpendSummaryTable | 'a',
  {
    key: string;
    day: string;
    applications: number;
    cost: number | null;
    core_seconds: number | null;
    duration_ms: number | null;
    input_bytes: number | null;
    output_bytes: number | null;
    task_ms: number | null;
    measured: number;
    currency: string;
  }
>;

/** The sums of a spend group as the drivers return them (PostgreSQL: bigint and numeric as text). */
interface SpendSums {
  day?: string;
  key: string;
  applications: number | string | null;
  cost: number | string | null;
  core_seconds: number | string | null;
  duration_ms: number | string | null;
  input_bytes: number | string | null;
  output_bytes: number | string | null;
  task_ms: number | string | null;
  measured: number | string | null;
  currency: unknown;
}

/** `column IN (values)`, where an empty list matches nothing. */
function anyOf(column: string | RawBuilder<unknown>, values: string[]) {
  const value = typeof column === 'string' ? sql.ref(column) : column;
  return values.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`${value} in (${sql.join(values)})`;
}

/** `IN ()` is not SQL: an empty list matches nothing. */
function nonEmpty(values: string[]): string[] {
  return values.length > 0 ? values : [''];
}

/**
 * Kysely builds and compiles every query (and migrates the schema); the executor runs them (on
 * SQLite, writes on the writer thread that owns the only write connection).
 */
export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly codec: DialectCodec,
    private readonly clock: Clock,
    private readonly executor: Executor,
    /** @default a lock of this store's own callers (the SQLite and PostgreSQL stores give one of their database) */
    private readonly admissionLock: AdmissionLock = new SerialLock(),
  ) {}

  /** SQL by query shape, for the frequent queries (see sqlFor). */
  private readonly compiledSql = new Map<string, string>();

  /** Applies pending schema migrations; returns the names applied (empty when already current). */
  migrate(): Promise<string[]> {
    return migrateToLatest(this.db as Kysely<unknown>, this.codec);
  }

  async insertApplication(
    app: Application,
    options: { ownerId?: string } = {},
  ): Promise<{ app: Application; created: boolean }> {
    const row = { ...applicationRow(app), owner_id: options.ownerId ?? null };
    const labels = Object.entries(app.config.labels ?? {}).map(([key, value]) => ({ app_id: app.id, key, value }));
    const parameters = Object.values(row);
    const insert = () =>
      this.db
        .insertInto('applications')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .compile();
    // every application row has the same columns in the same order: one shape
    const statements: WriteStatement[] = [{ sql: this.sqlFor('insert application', parameters, insert), parameters }];
    // the labels land with the application, and only when it was inserted
    if (labels.length > 0) statements.push(statement(this.db.insertInto('app_labels').values(labels).compile(), true));
    const [inserted] = await this.executor.write(statements);
    if (inserted!.rows.length > 0) {
      // what was inserted is the application as given, its instants as stored
      return {
        app: { ...app, type: app.type ?? 'batch', createdAt: row.created_at, updatedAt: row.updated_at },
        created: true,
      };
    }

    const existing = await this.findDuplicate(app);
    if (!existing) {
      // only reachable if the conflicting row was deleted in between; applications are never deleted
      throw new Error(`application ${app.id} conflicted with a row that no longer exists`);
    }
    return { app: existing, created: false };
  }

  /** The stored application with the same id, else the one with the same (clusterId, idempotencyKey). */
  private async findDuplicate(app: Application): Promise<Application | undefined> {
    const rows = await this.read(
      this.db
        .selectFrom('applications')
        .selectAll()
        .where((eb) => {
          const sameId = eb('id', '=', app.id);
          if (app.idempotencyKey === undefined) return sameId;
          return eb.or([
            sameId,
            eb.and([eb('cluster_id', '=', app.clusterId), eb('idempotency_key', '=', app.idempotencyKey)]),
          ]);
        }),
    );
    const row = rows.find((r) => r.id === app.id) ?? rows[0];
    return row && toApplication(row, this.codec);
  }

  async getApplication(id: string): Promise<Application | undefined> {
    const [row] = await this.readShape('application by id', [id], () =>
      this.db.selectFrom('applications').selectAll().where('id', '=', id).compile(),
    );
    return row && toApplication(row, this.codec);
  }

  /**
   * Sorted by the key (default createdAt, descending), ties broken by id. Applications without the
   * key (not started, not measured) come last: the rows with it are read first and, once they run
   * out, those without it, each part an index range scan, so the first page never scans the table.
   * An empty `states` array does not filter.
   */
  async listApplications(
    filter: ApplicationFilter,
    limit: number,
    cursor?: string,
    sort: ApplicationSort = DEFAULT_SORT,
  ): Promise<Page<Application>> {
    checkLimit(limit);
    const column = SORT_COLUMNS[sort.key];
    const after = cursor === undefined ? undefined : decodeSortCursor(cursor, sort);
    const rows: Selectable<ApplicationsTable>[] = [];
    const op = sort.order === 'desc' ? '<' : '>';
    if (!after || after.phase === 'value') {
      let query = this.filtered(filter).where(column, 'is not', null);
      if (after?.phase === 'value') {
        const value = sortValue(sort.key, after.value);
        query = query.where(({ eb, refTuple, tuple }) => eb(refTuple(column, 'id'), op, tuple(value, after.id)));
      }
      rows.push(
        ...(await this.read(
          query
            .orderBy(column, sort.order)
            .orderBy('id', sort.order)
            .limit(limit + 1),
        )),
      );
    }
    if (rows.length <= limit && NULLABLE_SORT.has(sort.key)) {
      let query = this.filtered(filter).where(column, 'is', null);
      if (after?.phase === 'null') query = query.where('id', op, after.id);
      rows.push(...(await this.read(query.orderBy('id', sort.order).limit(limit + 1 - rows.length))));
    }
    const page = rows.slice(0, limit);
    const items = page.map((row) => toApplication(row, this.codec));
    const last = page[page.length - 1];
    if (rows.length <= limit || !last) return { items };
    const value = last[column];
    return {
      items,
      nextCursor: encodeSortCursor(sort, value === null ? null : sortText(sort.key, value, this.codec), last.id),
    };
  }

  /** The applications matching the filter, unsorted. */
  private filtered(filter: ApplicationFilter) {
    let query = this.db.selectFrom('applications').selectAll();
    if (filter.clusterId !== undefined) query = query.where('cluster_id', '=', filter.clusterId);
    if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
    if (filter.states !== undefined && filter.states.length > 0) query = query.where('state', 'in', filter.states);
    if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.types !== undefined && filter.types.length > 0) query = query.where('type', 'in', filter.types);
    if (filter.retryOf !== undefined) query = query.where('retry_of', '=', filter.retryOf);
    if (filter.q !== undefined && filter.q !== '') {
      // ids are lowercase; LIKE is case-insensitive on SQLite only, so the text is lowered
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(
        sql<boolean>`(${sql.ref('id')} like ${pattern} escape '\\' or ${sql.ref('job_id')} like ${pattern} escape '\\')`,
      );
    }
    if (filter.createdFrom !== undefined) {
      query = query.where('created_at', '>=', writeTime(filter.createdFrom, 'createdFrom'));
    }
    if (filter.createdTo !== undefined)
      query = query.where('created_at', '<', writeTime(filter.createdTo, 'createdTo'));
    for (const [key, value] of Object.entries(filter.labels ?? {})) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('app_labels')
            .select('app_labels.app_id')
            .whereRef('app_labels.app_id', '=', 'applications.id')
            .where('app_labels.key', '=', key)
            .where('app_labels.value', '=', value),
        ),
      );
    }
    return query;
  }

  /**
   * Newest first, by index applications_job_id_created; the figures come from their columns and
   * efficiency from the metrics' JSON, which is not read whole (nor decoded) for each run.
   */
  async listMeasuredRuns(jobId: string): Promise<MeasuredRun[]> {
    const efficiency =
      this.codec.kind === 'sqlite'
        ? sql<number>`json_extract(${sql.ref('metrics')}, '$.efficiency')`
        : sql<number>`(${sql.ref('metrics')}->>'efficiency')::double precision`;
    const rows = await this.read(
      this.db
        .selectFrom('applications')
        .select(['id', 'state', 'ended_at', 'config', 'provenance', 'cost', 'duration_ms', 'input_bytes'])
        .select(['output_bytes', 'core_seconds', 'prediction', efficiency.as('efficiency')])
        .where('job_id', '=', jobId)
        .where('metrics', 'is not', null)
        .where('ended_at', 'is not', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc'),
    );
    return rows.map((row) => toMeasuredRun(row as MeasuredRunRow, this.codec));
  }

  /**
   * The whole UTC days of the range from the summaries (migrations 0013 and 0016), the part days
   * at its edges from the applications (index applications_ended_spend_covering), summed in one
   * GROUP BY. A label's groups are its values, which the summaries do not hold: those read the
   * applications.
   */
  async sumSpend(query: SpendQuery): Promise<SpendRow[]> {
    if (query.by === 'label') return this.sumLabelSpend(query);
    const from = writeTime(query.endedFrom, 'from');
    const to = writeTime(query.endedTo, 'to');
    const firstDay = Math.ceil(Date.parse(from) / DAY_MS) * DAY_MS;
    const endDay = Math.floor(Date.parse(to) / DAY_MS) * DAY_MS;
    const parts: SpendPart[] = [];
    if (firstDay < endDay) {
      parts.push(...this.spendOfWholeDays(query, firstDay, endDay));
      if (Date.parse(from) < firstDay) parts.push(this.spendOfEnded(query, from, new Date(firstDay).toISOString()));
      if (endDay < Date.parse(to)) parts.push(this.spendOfEnded(query, new Date(endDay).toISOString(), to));
    } else {
      parts.push(this.spendOfEnded(query, from, to));
    }
    const [first, ...rest] = parts;
    const union = rest.reduce((all, part) => all.unionAll(part), first!);
    let grouped = this.db.selectFrom(union.as('s')).select(({ fn }) => [
      fn.sum<number | string | null>('s.applications').as('applications'),
      fn.sum<number | string | null>('s.cost').as('cost'),
      fn.sum<number | string | null>('s.core_seconds').as('core_seconds'),
      fn.sum<number | string | null>('s.duration_ms').as('duration_ms'),
      fn.sum<number | string | null>('s.input_bytes').as('input_bytes'),
      fn.sum<number | string | null>('s.output_bytes').as('output_bytes'),
      fn.sum<number | string | null>('s.task_ms').as('task_ms'),
      fn.sum<number | string | null>('s.measured').as('measured'),
      fn.max('s.currency').as('currency'),
      // without a key, the union's key is '' throughout: PostgreSQL groups only what it selects
      (query.by === undefined ? sql<string>`''` : sql<string>`${sql.ref('s.key')}`).as('key'),
    ]);
    if (query.by !== undefined) {
      grouped = grouped.groupBy('s.key');
      if (query.keys !== undefined) grouped = grouped.where('s.key', 'in', nonEmpty(query.keys));
    }
    if (query.perDay) grouped = grouped.select('s.day').groupBy('s.day');
    return (await this.read(grouped)).map((row) => this.spendRow(query, row));
  }

  /**
   * The days [firstDay, endDay) from the smallest summary that holds the query's groups: without
   * days, whole weeks from weekly_spend and the days around them from daily_spend; the totals of
   * each day (or each cluster's) from daily_totals; else daily_spend.
   */
  private spendOfWholeDays(query: SpendQuery, firstDay: number, endDay: number): SpendPart[] {
    if (!query.perDay) {
      const firstWeek = Math.ceil((firstDay - MONDAY_MS) / WEEK_MS) * WEEK_MS + MONDAY_MS;
      const endWeek = Math.floor((endDay - MONDAY_MS) / WEEK_MS) * WEEK_MS + MONDAY_MS;
      if (firstWeek < endWeek) {
        return [
          ...(firstDay < firstWeek ? [this.spendOfSummary(query, 'daily_spend', firstDay, firstWeek)] : []),
          this.spendOfSummary(query, 'weekly_spend', firstWeek, endWeek),
          ...(endWeek < endDay ? [this.spendOfSummary(query, 'daily_spend', endWeek, endDay)] : []),
        ];
      }
    }
    const totals = (query.by === undefined || query.by === 'cluster') && query.jobIds === undefined;
    return [this.spendOfSummary(query, totals ? 'daily_totals' : 'daily_spend', firstDay, endDay)];
  }

  /** A summary's periods that start in [first, end), as rows of the spend union. */
  private spendOfSummary(query: SpendQuery, table: SpendSummaryTable, first: number, end: number): SpendPart {
    const period = table === 'weekly_spend' ? 'week' : 'day';
    const column = query.by === undefined ? undefined : DAILY_KEYS[query.by as keyof typeof DAILY_KEYS];
    const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    let q = this.db
      .selectFrom(table)
      .select([
        (column === undefined ? sql<string>`''` : sql<string>`${sql.ref(column)}`).as('key'),
        sql<string>`${sql.ref(period)}`.as('day'),
        sql<number>`${sql.ref('applications')}`.as('applications'),
        sql<number | null>`${sql.ref('cost')}`.as('cost'),
        sql<number | null>`${sql.ref('core_seconds')}`.as('core_seconds'),
        sql<number | null>`${sql.ref('duration_ms')}`.as('duration_ms'),
        sql<number | null>`${sql.ref('input_bytes')}`.as('input_bytes'),
        sql<number | null>`${sql.ref('output_bytes')}`.as('output_bytes'),
        sql<number | null>`${sql.ref('task_ms')}`.as('task_ms'),
        sql<number>`${sql.ref('measured')}`.as('measured'),
        sql<string>`${sql.ref('currency')}`.as('currency'),
      ])
      .where(sql.ref(period), '>=', dayOf(first))
      .where(sql.ref(period), '<', dayOf(end));
    // '' is "no job" in the summaries: an empty list matches nothing, not the jobless
    if (query.clusterIds !== undefined) q = q.where(anyOf('cluster_id', query.clusterIds));
    if (query.jobIds !== undefined) q = q.where(anyOf('job_id', query.jobIds));
    return q;
  }

  /** The applications that ended in [from, to), one row each, as rows of the spend union. */
  private spendOfEnded(query: SpendQuery, from: string, to: string): SpendPart {
    const column = query.by === undefined ? undefined : SPEND_KEYS[query.by];
    let q = this.db
      .selectFrom('applications as a')
      .select([
        (column === undefined ? sql<string>`''` : sql<string>`coalesce(${sql.ref(column)}, '')`).as('key'),
        sql<string>`${sql.raw(utcDayOf(this.codec, 'a.ended_at'))}`.as('day'),
        sql<number>`1`.as('applications'),
        sql<number | null>`${sql.ref('a.cost')}`.as('cost'),
        sql<number | null>`${sql.ref('a.core_seconds')}`.as('core_seconds'),
        sql<number | null>`${sql.ref('a.duration_ms')}`.as('duration_ms'),
        sql<number | null>`${sql.ref('a.input_bytes')}`.as('input_bytes'),
        sql<number | null>`${sql.ref('a.output_bytes')}`.as('output_bytes'),
        sql<number | null>`${sql.ref('a.task_ms')}`.as('task_ms'),
        sql<number>`case when ${sql.ref('a.core_seconds')} is null then 0 else 1 end`.as('measured'),
        sql<string>`coalesce(${sql.ref('a.currency')}, '')`.as('currency'),
      ])
      .where('a.ended_at', '>=', from)
      .where('a.ended_at', '<', to);
    // SQLite, without statistics, would rather read all of a cluster's applications by an index
    // that starts with cluster_id than a day of them by end: a unary + keeps it off those indexes
    const cluster = this.codec.kind === 'sqlite' ? sql`+${sql.ref('a.cluster_id')}` : sql`${sql.ref('a.cluster_id')}`;
    if (query.clusterIds !== undefined) q = q.where(anyOf(cluster, query.clusterIds));
    if (query.jobIds !== undefined) q = q.where(anyOf('a.job_id', query.jobIds));
    return q;
  }

  /** One GROUP BY over the ended applications and their label, read from a covering index. */
  private async sumLabelSpend(query: SpendQuery): Promise<SpendRow[]> {
    // PostgreSQL groups by the day as a timestamp, whose number of values it knows (the statistics
    // of migration 0007): it then hashes 30 groups instead of sorting every row on disk
    const dayKey =
      this.codec.kind === 'sqlite'
        ? sql<string>`substr(${sql.ref('a.ended_at')}, 1, 10)`
        : sql<string>`date_trunc('day', ${sql.ref('a.ended_at')} at time zone 'UTC')`;
    const day = this.codec.kind === 'sqlite' ? dayKey : sql<string>`to_char(${dayKey}, 'YYYY-MM-DD')`;
    const label = sql<string>`coalesce(${sql.ref('l.value')}, '')`;
    let q = this.db
      .selectFrom('applications as a')
      .leftJoin('app_labels as l', (join) => join.onRef('l.app_id', '=', 'a.id').on('l.key', '=', query.labelKey ?? ''))
      .select(({ fn }) => [
        fn.countAll<number | string>().as('applications'),
        fn.sum<number | string | null>('a.cost').as('cost'),
        fn.sum<number | string | null>('a.core_seconds').as('core_seconds'),
        fn.sum<number | string | null>('a.duration_ms').as('duration_ms'),
        fn.sum<number | string | null>('a.input_bytes').as('input_bytes'),
        fn.sum<number | string | null>('a.output_bytes').as('output_bytes'),
        fn.sum<number | string | null>('a.task_ms').as('task_ms'),
        fn.count<number | string>('a.core_seconds').as('measured'),
        fn.max('a.currency').as('currency'),
        label.as('key'),
      ])
      .where('a.ended_at', '>=', writeTime(query.endedFrom, 'from'))
      .where('a.ended_at', '<', writeTime(query.endedTo, 'to'))
      .groupBy('l.value');
    if (query.clusterIds !== undefined) q = q.where('a.cluster_id', 'in', nonEmpty(query.clusterIds));
    if (query.jobIds !== undefined) q = q.where('a.job_id', 'in', nonEmpty(query.jobIds));
    if (query.keys !== undefined) q = q.where(label, 'in', nonEmpty(query.keys));
    if (query.perDay) q = q.select(day.as('day')).groupBy(dayKey);
    return (await this.read(q)).map((row) => this.spendRow(query, row));
  }

  private spendRow(query: SpendQuery, row: SpendSums): SpendRow {
    const number = (value: number | string | null) => (value === null ? 0 : Number(value));
    const currency = row.currency === null || row.currency === undefined ? '' : String(row.currency);
    return {
      ...(row.day !== undefined ? { day: row.day } : {}),
      ...(query.by !== undefined ? { key: row.key } : {}),
      applications: number(row.applications),
      cost: number(row.cost),
      executorCoreSeconds: number(row.core_seconds),
      durationMs: number(row.duration_ms),
      inputBytes: number(row.input_bytes),
      outputBytes: number(row.output_bytes),
      executorRunTimeMs: number(row.task_ms),
      measured: number(row.measured),
      ...(currency !== '' ? { currency } : {}),
    };
  }

  async listActivity(clusterId: string, from: string, to: string, jobIds?: string[]): Promise<ActivityInterval[]> {
    let query = this.db
      .selectFrom('applications')
      .select(['state', 'created_at', 'started_at', 'ended_at', 'requested_cores'])
      .where('cluster_id', '=', clusterId)
      .where('created_at', '<', writeTime(to, 'to'))
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', writeTime(from, 'from'))]));
    if (jobIds !== undefined) query = query.where('job_id', 'in', nonEmpty(jobIds));
    const rows = await this.read(query);
    return rows.map((row) => ({
      state: row.state as AppState,
      createdAt: this.codec.readTime(row.created_at),
      ...(row.started_at !== null ? { startedAt: this.codec.readTime(row.started_at) } : {}),
      ...(row.ended_at !== null ? { endedAt: this.codec.readTime(row.ended_at) } : {}),
      requestedCores: Number(row.requested_cores),
    }));
  }

  async listPendingMeasurements(limit: number): Promise<Application[]> {
    const rows = await this.read(
      this.db
        .selectFrom('applications')
        .selectAll()
        .where('state', 'in', [...TERMINAL_STATES])
        .where((eb) => eb.or([eb('measurement_state', 'is', null), eb('measurement_state', '=', 'pending')]))
        .orderBy('ended_at')
        .limit(limit),
    );
    return rows.map((row) => toApplication(row, this.codec));
  }

  async listUnfinishedFailures(limit: number, afterId?: string): Promise<Application[]> {
    let query = this.db
      .selectFrom('applications')
      .selectAll()
      // a literal, not a parameter: only then can the planners use the partial index (migration 0015)
      .where('state', '=', sql.lit('FAILED'))
      .where('failure', 'is', null);
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await this.read(query.orderBy('id').limit(limit));
    return rows.map((row) => toApplication(row, this.codec));
  }

  async countApplications(states: AppState[]): Promise<{ clusterId: string; state: AppState; count: number }[]> {
    if (states.length === 0) return [];
    const rows = await this.read(
      this.db
        .selectFrom('applications')
        .select(({ fn }) => ['cluster_id', 'state', fn.countAll<number | string>().as('count')])
        .where('state', 'in', states)
        .groupBy(['cluster_id', 'state']),
    );
    return rows.map((row) => ({ clusterId: row.cluster_id, state: row.state as AppState, count: Number(row.count) }));
  }

  /** Compare-and-set in one UPDATE. `expected: []` allows no state, so nothing is written. */
  async updateApplication(
    id: string,
    update: ApplicationUpdate,
    expected?: AppState[],
  ): Promise<Application | undefined> {
    if (expected !== undefined && expected.length === 0) return undefined;
    const set: Updateable<ApplicationsTable> = { updated_at: this.now() };
    if (update.state !== undefined) set.state = update.state;
    if (update.stateReason !== undefined) set.state_reason = update.stateReason;
    if (update.pendingReason !== undefined) set.pending_reason = update.pendingReason;
    if (update.admittedAt !== undefined) set.admitted_at = writeTime(update.admittedAt, 'admittedAt');
    if (update.backendRef !== undefined) set.backend_ref = update.backendRef;
    if (update.startedAt !== undefined) set.started_at = writeTime(update.startedAt, 'startedAt');
    if (update.endedAt !== undefined) set.ended_at = writeTime(update.endedAt, 'endedAt');
    if (update.metrics !== undefined)
      Object.assign(set, { metrics: writeJson(update.metrics), ...metricColumns(update.metrics) });
    if (update.measurement !== undefined) {
      Object.assign(set, { measurement: writeJson(update.measurement), measurement_state: update.measurement.state });
    }
    if (update.failure !== undefined) set.failure = writeJson(update.failure);
    if (update.stopRequest !== undefined) {
      set.stop_request = update.stopRequest === null ? null : writeJson(update.stopRequest);
    }
    const compile = () => {
      let query = this.db.updateTable('applications').set(set).where('id', '=', id);
      if (expected !== undefined) query = query.where('state', 'in', expected);
      return query.returningAll().compile();
    };
    const shape = `update application ${Object.keys(set).join()} where state in ${expected?.length ?? 'any'}`;
    const parameters = [...Object.values(set), id, ...(expected ?? [])];
    const [result] = await this.executor.write([{ sql: this.sqlFor(shape, parameters, compile), parameters }]);
    const row = result!.rows[0] as Selectable<ApplicationsTable> | undefined;
    return row && toApplication(row, this.codec);
  }

  async recordHandover(id: string, backendRef: string, clearPendingReason: boolean): Promise<AppState | undefined> {
    const set: Updateable<ApplicationsTable> = { updated_at: this.now(), backend_ref: backendRef };
    if (clearPendingReason) set.pending_reason = null;
    const compile = () =>
      this.db.updateTable('applications').set(set).where('id', '=', id).returning('state').compile();
    const parameters = [...Object.values(set), id];
    const shape = `record hand-over ${Object.keys(set).join()}`;
    const [result] = await this.executor.write([{ sql: this.sqlFor(shape, parameters, compile), parameters }]);
    const row = result!.rows[0] as { state: AppState } | undefined;
    return row?.state;
  }

  async ensureJob(job: JobSpec): Promise<StoredJob> {
    const now = this.now();
    await this.writeOne(
      this.db
        .insertInto('jobs')
        .values({ id: job.id, cluster_id: job.clusterId, spec: writeJson(job), created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doNothing()),
    );
    const stored = await this.getJob(job.id);
    if (!stored) throw new Error(`job ${job.id} vanished right after it was ensured`);
    return stored;
  }

  async putJob(job: JobSpec): Promise<StoredJob> {
    const now = this.now();
    const row = await this.writeReturning(
      this.db
        .insertInto('jobs')
        .values({ id: job.id, cluster_id: job.clusterId, spec: writeJson(job), created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            cluster_id: eb.ref('excluded.cluster_id'),
            spec: eb.ref('excluded.spec'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll(),
    );
    return toJob(row, this.codec);
  }

  async getJob(id: string): Promise<StoredJob | undefined> {
    const [row] = await this.readShape('job by id', [id], () =>
      this.db.selectFrom('jobs').selectAll().where('id', '=', id).compile(),
    );
    return row && toJob(row, this.codec);
  }

  /** Ordered by id. */
  async listJobs(filter: { clusterId?: string }, limit: number, cursor?: string): Promise<Page<StoredJob>> {
    checkLimit(limit);
    let query = this.db.selectFrom('jobs').selectAll();
    if (filter.clusterId !== undefined) query = query.where('cluster_id', '=', filter.clusterId);
    if (cursor !== undefined) {
      const [id = ''] = decodeCursor(cursor, 1);
      query = query.where('id', '>', id);
    }
    const rows = await this.read(query.orderBy('id').limit(limit + 1));
    const items = rows.slice(0, limit).map((row) => toJob(row, this.codec));
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.id]) } : { items };
  }

  async putTemplate(clusterId: string, template: ConfigTemplate): Promise<StoredTemplate> {
    const now = this.now();
    const row = await this.writeReturning(
      this.db
        .insertInto('config_templates')
        .values({
          cluster_id: clusterId,
          id: template.id,
          config: writeJson(template.config),
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['cluster_id', 'id']).doUpdateSet((eb) => ({
            config: eb.ref('excluded.config'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll(),
    );
    return toTemplate(row, this.codec);
  }

  async getTemplate(clusterId: string, id: string): Promise<StoredTemplate | undefined> {
    const [row] = await this.read(
      this.db.selectFrom('config_templates').selectAll().where('cluster_id', '=', clusterId).where('id', '=', id),
    );
    return row && toTemplate(row, this.codec);
  }

  /** Ordered by id. */
  async listTemplates(clusterId: string): Promise<StoredTemplate[]> {
    const rows = await this.read(
      this.db.selectFrom('config_templates').selectAll().where('cluster_id', '=', clusterId).orderBy('id'),
    );
    return rows.map((row) => toTemplate(row, this.codec));
  }

  async deleteTemplate(clusterId: string, id: string): Promise<boolean> {
    const result = await this.writeOne(
      this.db.deleteFrom('config_templates').where('cluster_id', '=', clusterId).where('id', '=', id),
    );
    return result.changes > 0;
  }

  async putCluster(cluster: Omit<StoredCluster, 'createdAt' | 'updatedAt'>): Promise<StoredCluster> {
    const now = this.now();
    const row = await this.writeReturning(
      this.db
        .insertInto('clusters')
        .values({
          id: cluster.id,
          backend: cluster.backend,
          settings: writeJson(cluster.settings),
          display_name: cluster.displayName ?? null,
          ocean_cluster_id: cluster.oceanClusterId ?? null,
          region: cluster.region ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            backend: eb.ref('excluded.backend'),
            settings: eb.ref('excluded.settings'),
            display_name: eb.ref('excluded.display_name'),
            ocean_cluster_id: eb.ref('excluded.ocean_cluster_id'),
            region: eb.ref('excluded.region'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll(),
    );
    return toCluster(row, this.codec);
  }

  async getCluster(id: string): Promise<StoredCluster | undefined> {
    const [row] = await this.read(this.db.selectFrom('clusters').selectAll().where('id', '=', id));
    return row && toCluster(row, this.codec);
  }

  /** Ordered by id. */
  async listClusters(): Promise<StoredCluster[]> {
    const rows = await this.read(this.db.selectFrom('clusters').selectAll().orderBy('id'));
    return rows.map((row) => toCluster(row, this.codec));
  }

  async deleteCluster(id: string): Promise<boolean> {
    const result = await this.writeOne(this.db.deleteFrom('clusters').where('id', '=', id));
    return result.changes > 0;
  }

  async heartbeat(replicaId: string): Promise<void> {
    const now = this.now();
    await this.writeOne(
      this.db
        .insertInto('replicas')
        .values({ id: replicaId, heartbeat_at: now, started_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ heartbeat_at: eb.ref('excluded.heartbeat_at') }))),
    );
  }

  /**
   * One UPDATE over a sub-select of the claimable rows. On PostgreSQL the sub-select locks them
   * FOR UPDATE SKIP LOCKED, so a concurrent claim skips rows being claimed instead of taking
   * them too; SQLite has a single writer. An owner without a replicas row counts as alive: a
   * replica heartbeats before it owns anything, so a missing row only means a concurrent
   * statement's snapshot predates that heartbeat.
   */
  async claimApplications(replicaId: string, options: ClaimOptions): Promise<Application[]> {
    checkLimit(options.limit);
    const cutoff = new Date(this.clock.now().getTime() - options.leaseSeconds * 1000).toISOString();
    const { rows } = await this.writeOne(
      this.db
        .updateTable('applications')
        .set({ owner_id: replicaId })
        .where('id', 'in', (eb) => {
          const claimable = eb
            .selectFrom('applications as a')
            .select('a.id')
            .where('a.state', 'in', ACTIVE_STATES)
            .where((w) =>
              w.or([
                w('a.owner_id', 'is', null),
                w.exists(
                  w
                    .selectFrom('replicas as r')
                    .select('r.id')
                    .whereRef('r.id', '=', 'a.owner_id')
                    .where('r.heartbeat_at', '<', cutoff),
                ),
              ]),
            )
            .orderBy('a.created_at')
            .orderBy('a.id')
            .limit(options.limit);
          return this.codec.kind === 'postgres' ? claimable.forUpdate().skipLocked() : claimable;
        })
        .returningAll(),
    );
    // RETURNING follows no order: oldest first, as claimed
    const key = (app: Application) => `${app.createdAt} ${app.id}`;
    return rows.map((row) => toApplication(row, this.codec)).sort((x, y) => (key(x) < key(y) ? -1 : 1));
  }

  async releaseApplications(replicaId: string): Promise<number> {
    // owners first, then the row: a row deleted first would leave owners that count as alive
    const [released] = await this.executor.write([
      statement(
        this.db
          .updateTable('applications')
          .set({ owner_id: null })
          .where('owner_id', '=', replicaId)
          .where('state', 'in', ACTIVE_STATES)
          .compile(),
      ),
      statement(this.db.deleteFrom('replicas').where('id', '=', replicaId).compile()),
    ]);
    return released!.changes;
  }

  withAdmissionLock<T>(work: () => Promise<T>): Promise<T> {
    return this.admissionLock.run(work);
  }

  /** Throws CONFLICT when a token with the same id or secret hash exists. */
  async putSessionEndpoint(appId: string, endpoint: ConnectEndpoint): Promise<void> {
    await this.writeOne(
      this.db
        .insertInto('session_state')
        .values({ app_id: appId, last_activity_at: null, connect_host: endpoint.host, connect_port: endpoint.port })
        .onConflict((oc) =>
          oc.column('app_id').doUpdateSet({ connect_host: endpoint.host, connect_port: endpoint.port }),
        ),
    );
  }

  /** Never moves the clock back: touches from several replicas may arrive out of order. */
  async touchSession(appId: string, at: string): Promise<void> {
    await this.writeOne(
      this.db
        .insertInto('session_state')
        .values({ app_id: appId, last_activity_at: writeTime(at, 'lastActivityAt') })
        .onConflict((oc) =>
          oc.column('app_id').doUpdateSet({
            last_activity_at: sql<string>`case when session_state.last_activity_at is null or session_state.last_activity_at < excluded.last_activity_at then excluded.last_activity_at else session_state.last_activity_at end`,
          }),
        ),
    );
  }

  async getSessionStates(appIds: string[]): Promise<SessionState[]> {
    if (appIds.length === 0) return [];
    const rows = await this.read(this.db.selectFrom('session_state').selectAll().where('app_id', 'in', appIds));
    return rows.map((row) => ({
      appId: row.app_id,
      ...(row.last_activity_at !== null ? { lastActivityAt: this.codec.readTime(row.last_activity_at) } : {}),
      ...(row.connect_host !== null && row.connect_port !== null
        ? { endpoint: { host: row.connect_host, port: row.connect_port } }
        : {}),
    }));
  }

  async deleteSessionStates(appIds: string[]): Promise<void> {
    if (appIds.length === 0) return;
    await this.writeOne(this.db.deleteFrom('session_state').where('app_id', 'in', appIds));
  }

  async deleteEndedSessionStates(): Promise<number> {
    const result = await this.writeOne(
      this.db
        .deleteFrom('session_state')
        .where('app_id', 'not in', this.db.selectFrom('applications').select('id').where('state', 'in', ACTIVE_STATES)),
    );
    return result.changes;
  }

  async insertToken(token: ApiToken): Promise<void> {
    const inserted = await this.writeOne(
      this.db
        .insertInto('api_tokens')
        .values(tokenRow(token))
        .onConflict((oc) => oc.doNothing())
        .returning('id'),
    );
    if (inserted.rows.length === 0)
      throw new DomainError('CONFLICT', `a token with id "${token.id}" or the same secret already exists`);
  }

  /** Revoked tokens are not found: a revoked secret authenticates nothing. */
  async findTokenByHash(secretHash: string): Promise<ApiToken | undefined> {
    const [row] = await this.read(
      this.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .where('revoked_at', 'is', null),
    );
    return row && toToken(row, this.codec);
  }

  /** All tokens, revoked ones included (with revokedAt), oldest first. */
  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.read(this.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id'));
    return rows.map((row) => toToken(row, this.codec));
  }

  /** True when the token exists; revoking twice keeps the first revokedAt. */
  async revokeToken(id: string, at: string): Promise<boolean> {
    const result = await this.writeOne(
      this.db
        .updateTable('api_tokens')
        .set((eb) => ({
          revoked_at: eb.fn.coalesce('revoked_at', eb.val(writeTime(at, 'revokedAt'))).$castTo<string>(),
        }))
        .where('id', '=', id),
    );
    return result.changes > 0;
  }

  async close(): Promise<void> {
    await this.executor.close();
    await this.db.destroy();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * The SQL of a frequent query (a submission's insert, a state change, a read by id), compiled
   * once per shape instead of each time.
   * `parameters` are the values Kysely binds, in its order: checked at the shape's first compile.
   */
  private sqlFor(shape: string, parameters: readonly unknown[], compile: () => CompiledQuery): string {
    let sql = this.compiledSql.get(shape);
    if (sql === undefined) {
      const compiled = compile();
      if (!isDeepStrictEqual(compiled.parameters, parameters)) {
        throw new Error(`the "${shape}" query binds its values in another order than expected`);
      }
      sql = compiled.sql;
      this.compiledSql.set(shape, sql);
    }
    return sql;
  }

  private async read<Row>(query: Compilable<Row>): Promise<Row[]> {
    return (await this.executor.read(query.compile())) as Row[];
  }

  /** A read of a repeated shape (see sqlFor). */
  private async readShape<Row>(
    shape: string,
    parameters: unknown[],
    compile: () => CompiledQuery<Row>,
  ): Promise<Row[]> {
    return (await this.executor.read({ sql: this.sqlFor(shape, parameters, compile), parameters })) as Row[];
  }

  /** One statement, committed on its own. */
  private async writeOne<Row>(query: Compilable<Row>): Promise<StatementResult<Row>> {
    const [result] = await this.executor.write([statement(query.compile())]);
    return result as StatementResult<Row>;
  }

  /** One statement that returns exactly one row (an upsert's RETURNING). */
  private async writeReturning<Row>(query: Compilable<Row>): Promise<Row> {
    const [row] = (await this.writeOne(query)).rows;
    if (row === undefined) throw new Error(`a write returned no row: ${query.compile().sql}`);
    return row;
  }
}
