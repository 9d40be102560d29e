/**
 * Table shapes as Kysely sees them. JSON columns are TEXT on SQLite and jsonb on PostgreSQL, and
 * timestamps TEXT (ISO, UTC, milliseconds) on SQLite and timestamptz on PostgreSQL: rows read back
 * carry either form, which the dialect codec turns into domain values.
 */
import type { ColumnType } from 'kysely';

/** Written as JSON text; read as text (SQLite) or an already parsed value (PostgreSQL). */
type Json = ColumnType<unknown, string, string>;
type JsonOrNull = ColumnType<unknown, string | null, string | null>;
type Timestamp = ColumnType<string | Date, string, string>;
type TimestampOrNull = ColumnType<string | Date | null, string | null, string | null>;

export interface ApplicationsTable {
  id: string;
  cluster_id: string;
  /** NULL for a session or notebook (migration 0009). */
  job_id: string | null;
  state: string;
  state_reason: string | null;
  /** Migration 0008. */
  pending_reason: ColumnType<string | null, string | null | undefined, string | null>;
  admitted_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
  submission_source: string;
  user_id: string | null;
  idempotency_key: string | null;
  config_template_id: string | null;
  config_overrides: Json;
  config: Json;
  provenance: Json;
  backend_ref: string | null;
  metrics: JsonOrNull;
  stop_request: JsonOrNull;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: TimestampOrNull;
  ended_at: TimestampOrNull;
  /** The replica acting on the application (migration 0002); NULL: none yet, or released. */
  owner_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0005: "batch" or "session". */
  type: ColumnType<string, string | undefined, string>;
  tuning_changes: ColumnType<unknown, string | null | undefined, string | null>;
  /** Migration 0010: the tuner's Prediction for the run, JSON. */
  prediction: ColumnType<unknown, string | null | undefined, string | null>;
  /** Migration 0011: retries (attempt n of the application retry_of) and recovery (JSON). */
  attempt: ColumnType<number | null, number | null | undefined, number | null>;
  retry_of: ColumnType<string | null, string | null | undefined, string | null>;
  retry_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
  submission_retries: ColumnType<number | null, number | null | undefined, number | null>;
  failure: ColumnType<unknown, string | null | undefined, string | null>;
  memory_recovery: ColumnType<unknown, string | null | undefined, string | null>;
  /** Driver + executor cores its config asks for. */
  requested_cores: ColumnType<number, number | undefined, number>;
  /** The figures of `metrics`, as columns to sort and sum by (NULL until measured). */
  cost: NumberOrNull;
  currency: ColumnType<string | null, string | null | undefined, string | null>;
  core_seconds: NumberOrNull;
  duration_ms: NumberOrNull;
  input_bytes: NumberOrNull;
  output_bytes: NumberOrNull;
  task_ms: NumberOrNull;
  /** Migration 0006: where the measurement stands (Measurement), NULL before it ended. */
  measurement: ColumnType<unknown, string | null | undefined, string | null>;
  /** Its `state`, to find the ended applications still to measure. */
  measurement_state: ColumnType<string | null, string | null | undefined, string | null>;
}

type NumberOrNull = ColumnType<number | null, number | null | undefined, number | null>;

/** config.labels of each application, one row per label, so both dialects filter with plain SQL. */
export interface AppLabelsTable {
  app_id: string;
  key: string;
  value: string;
}

export interface JobsTable {
  id: string;
  cluster_id: string;
  /** The whole JobSpec. */
  spec: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConfigTemplatesTable {
  cluster_id: string;
  id: string;
  config: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClustersTable {
  id: string;
  backend: string;
  settings: Json;
  display_name: string | null;
  ocean_cluster_id: string | null;
  /** Migration 0005. */
  region: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  secret_hash: string;
  scopes: Json;
  cluster_ids: JsonOrNull;
  job_ids: JsonOrNull;
  template_ids: JsonOrNull;
  created_at: Timestamp;
  revoked_at: TimestampOrNull;
}

/** Runtime replicas sharing the database, and when each last said it was alive (migration 0002). */
export interface ReplicasTable {
  id: string;
  heartbeat_at: Timestamp;
  started_at: Timestamp;
}

/** Migration 0012: each session's Spark Connect endpoint and last request, shared by the replicas. */
export interface SessionStateTable {
  app_id: string;
  last_activity_at: TimestampOrNull;
  connect_host: ColumnType<string | null, string | null | undefined, string | null>;
  connect_port: ColumnType<number | null, number | null | undefined, number | null>;
}

/**
 * Migration 0013: the spend of the applications that ended on a UTC day ("YYYY-MM-DD"), per group;
 * '' stands for no job, user or currency. Kept by triggers on applications.
 */
export interface DailySpendTable {
  day: string;
  cluster_id: string;
  job_id: string;
  user_id: string;
  state: string;
  currency: string;
  applications: number;
  cost: number;
  core_seconds: number;
  duration_ms: number;
  input_bytes: number;
  output_bytes: number;
  task_ms: number;
  measured: number;
}

/** daily_spend's groups per UTC week, keyed by its Monday (migration 0016). */
export type WeeklySpendTable = Omit<DailySpendTable, 'day'> & { week: string };

/** The spend per UTC day, cluster and currency (migration 0016). */
export type DailyTotalsTable = Omit<DailySpendTable, 'job_id' | 'user_id' | 'state'>;

export interface Database {
  applications: ApplicationsTable;
  app_labels: AppLabelsTable;
  jobs: JobsTable;
  config_templates: ConfigTemplatesTable;
  clusters: ClustersTable;
  api_tokens: ApiTokensTable;
  replicas: ReplicasTable;
  session_state: SessionStateTable;
  daily_spend: DailySpendTable;
  weekly_spend: WeeklySpendTable;
  daily_totals: DailyTotalsTable;
}
