/**
 * The dashboard benchmark's baseline: for each measured page, one bare indexed SQL query of the
 * rows the page shows, run straight on the database driver (no store, no domain decoding) and
 * served as the driver returns them. The API's time is compared with these.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export interface BareQueries {
  /** A cluster's applications in a state, most expensive first (index applications_cluster_state_cost). */
  applications(clusterId: string, state: string, limit: number): Promise<unknown[]>;
  /** The job's row and every one of its runs, newest first (index applications_job_id_created). */
  job(jobId: string): Promise<unknown[]>;
  /** Cost, core-hours and application-hours per UTC day and job of the runs ended in [from, to). */
  costs(from: string, to: string): Promise<unknown[]>;
  close(): Promise<void>;
}

const APPLICATIONS = `select * from applications where cluster_id = $1 and state = $2 and cost is not null
  order by cost desc, id desc limit $3`;
const JOB = 'select * from jobs where id = $1';
const RUNS = 'select * from applications where job_id = $1 order by created_at desc, id desc';
const COSTS = (day: string) => `select ${day} as day, job_id, count(*) as applications, sum(cost) as cost,
  sum(core_seconds) as core_seconds, sum(duration_ms) as duration_ms
  from applications where ended_at >= $1 and ended_at < $2 group by 1, 2`;

/** SQLite binds `?` in order: each query names each parameter once, in order. */
const positional = (sql: string) => sql.replace(/\$\d/g, '?');

export function sqliteBareQueries(path: string): BareQueries {
  const db = new SqliteDatabase(path, { readonly: true });
  const applications = db.prepare(positional(APPLICATIONS));
  const job = db.prepare(positional(JOB));
  const runs = db.prepare(positional(RUNS));
  const costs = db.prepare(positional(COSTS('substr(ended_at, 1, 10)')));
  return {
    applications: async (clusterId, state, limit) => applications.all(clusterId, state, limit),
    job: async (id) => [...job.all(id), ...runs.all(id)],
    costs: async (from, to) => costs.all(from, to),
    close: async () => void db.close(),
  };
}

export function postgresBareQueries(url: string): BareQueries {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const rows = async (text: string, values: unknown[]) => (await pool.query({ text, values })).rows as unknown[];
  return {
    applications: (clusterId, state, limit) => rows(APPLICATIONS, [clusterId, state, limit]),
    job: async (id) => [...(await rows(JOB, [id])), ...(await rows(RUNS, [id]))],
    costs: (from, to) => rows(COSTS(`to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD')`), [from, to]),
    close: () => pool.end(),
  };
}
