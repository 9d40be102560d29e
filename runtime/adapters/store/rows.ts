/**
 * Domain records <-> table rows. Rows are decoded through the domain's schemas, so a record read
 * back is the shape the API serves (or a clear error naming the row and field). NULL columns
 * become absent properties, never `undefined` values.
 */
import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { Application } from '../../domain/application';
import { StoredCluster } from '../../domain/cluster';
import { ResourceId, Timestamp } from '../../domain/common';
import { ApplicationConfig, requestedCores } from '../../domain/config';
import { Provenance } from '../../domain/merge';
import { RunCost, RunMetrics } from '../../domain/metrics';
import type { MeasuredRun } from '../../domain/ports';
import { AppState } from '../../domain/states';
import { Prediction } from '../../domain/tuning-change';
import { DomainError } from '../../domain/errors';
import { StoredJob, StoredTemplate } from '../../domain/resources';
import { ApiToken } from '../../domain/tokens';
import { describeIssues } from '../../domain/validation';
import { writeJson, writeTime, type DialectCodec } from './dialect';
import type { ApiTokensTable, ApplicationsTable, ClustersTable, ConfigTemplatesTable, JobsTable } from './schema';

/** Copies the defined entries only, so optional properties stay absent. */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null));
}

/** A stored record through its schema; one that does not fit says which row and field (never a silent default). */
function decode<S extends z.ZodType>(schema: S, what: string, record: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(record);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, record);
  throw new DomainError(
    'INTERNAL',
    `stored ${what} does not fit its schema: ${issues.map((i) => i.message).join('; ')}`,
  );
}

/** The columns that repeat figures of the metrics, for sorting and sums in SQL. */
export function metricColumns(metrics: RunMetrics | undefined) {
  return {
    cost: metrics?.cost?.total ?? null,
    currency: metrics?.cost?.currency ?? null,
    core_seconds: metrics?.executorCoreSeconds ?? null,
    duration_ms: metrics?.durationMs ?? null,
    input_bytes: metrics?.inputBytes ?? null,
    output_bytes: metrics?.outputBytes ?? null,
    task_ms: metrics?.executorRunTimeMs ?? null,
  };
}

export function applicationRow(app: Application): Insertable<ApplicationsTable> {
  return {
    type: app.type ?? 'batch',
    tuning_changes: app.tuningChanges === undefined ? null : writeJson(app.tuningChanges),
    prediction: app.prediction === undefined ? null : writeJson(app.prediction),
    requested_cores: requestedCores(app.config),
    attempt: app.attempt ?? null,
    retry_of: app.retryOf ?? null,
    retry_at: app.retryAt === undefined ? null : writeTime(app.retryAt, 'retryAt'),
    submission_retries: app.submissionRetries ?? null,
    failure: app.failure === undefined ? null : writeJson(app.failure),
    memory_recovery: app.memoryRecovery === undefined ? null : writeJson(app.memoryRecovery),
    ...metricColumns(app.metrics),
    id: app.id,
    cluster_id: app.clusterId,
    job_id: app.jobId ?? null,
    state: app.state,
    state_reason: app.stateReason ?? null,
    pending_reason: app.pendingReason ?? null,
    admitted_at: app.admittedAt === undefined ? null : writeTime(app.admittedAt, 'admittedAt'),
    submission_source: app.submissionSource,
    user_id: app.userId ?? null,
    idempotency_key: app.idempotencyKey ?? null,
    config_template_id: app.configTemplateId ?? null,
    config_overrides: writeJson(app.configOverrides),
    config: writeJson(app.config),
    provenance: writeJson(app.provenance),
    backend_ref: app.backendRef ?? null,
    metrics: app.metrics === undefined ? null : writeJson(app.metrics),
    stop_request: app.stopRequest === undefined ? null : writeJson(app.stopRequest),
    measurement: app.measurement === undefined ? null : writeJson(app.measurement),
    measurement_state: app.measurement?.state ?? null,
    created_at: writeTime(app.createdAt, 'createdAt'),
    updated_at: writeTime(app.updatedAt, 'updatedAt'),
    started_at: app.startedAt === undefined ? null : writeTime(app.startedAt, 'startedAt'),
    ended_at: app.endedAt === undefined ? null : writeTime(app.endedAt, 'endedAt'),
  };
}

export function toApplication(row: Selectable<ApplicationsTable>, codec: DialectCodec): Application {
  return decode(
    Application,
    `application ${row.id}`,
    defined({
      id: row.id,
      clusterId: row.cluster_id,
      jobId: row.job_id ?? undefined,
      state: row.state,
      stateReason: row.state_reason ?? undefined,
      pendingReason: row.pending_reason ?? undefined,
      admittedAt: row.admitted_at === null ? undefined : codec.readTime(row.admitted_at),
      submissionSource: row.submission_source,
      type: row.type,
      tuningChanges: row.tuning_changes === null ? undefined : codec.readJson(row.tuning_changes),
      prediction: row.prediction === null || row.prediction === undefined ? undefined : codec.readJson(row.prediction),
      attempt: row.attempt ?? undefined,
      retryOf: row.retry_of ?? undefined,
      retryAt: row.retry_at === null || row.retry_at === undefined ? undefined : codec.readTime(row.retry_at),
      submissionRetries: row.submission_retries ?? undefined,
      failure: row.failure === null || row.failure === undefined ? undefined : codec.readJson(row.failure),
      memoryRecovery:
        row.memory_recovery === null || row.memory_recovery === undefined
          ? undefined
          : codec.readJson(row.memory_recovery),
      userId: row.user_id ?? undefined,
      idempotencyKey: row.idempotency_key ?? undefined,
      configTemplateId: row.config_template_id ?? undefined,
      configOverrides: codec.readJson(row.config_overrides),
      config: codec.readJson(row.config),
      provenance: codec.readJson(row.provenance),
      backendRef: row.backend_ref ?? undefined,
      metrics: row.metrics === null ? undefined : codec.readJson(row.metrics),
      stopRequest: row.stop_request === null ? undefined : codec.readJson(row.stop_request),
      measurement: row.measurement === null ? undefined : codec.readJson(row.measurement),
      createdAt: codec.readTime(row.created_at),
      updatedAt: codec.readTime(row.updated_at),
      startedAt: row.started_at === null ? undefined : codec.readTime(row.started_at),
      endedAt: row.ended_at === null ? undefined : codec.readTime(row.ended_at),
    }),
  );
}

export function toJob(row: Selectable<JobsTable>, codec: DialectCodec): StoredJob {
  return decode(StoredJob, `job ${row.id}`, {
    ...codec.readJson<Record<string, unknown>>(row.spec),
    id: row.id,
    clusterId: row.cluster_id,
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  });
}

export function toTemplate(row: Selectable<ConfigTemplatesTable>, codec: DialectCodec): StoredTemplate {
  return decode(StoredTemplate, `config template ${row.id}`, {
    id: row.id,
    clusterId: row.cluster_id,
    config: codec.readJson(row.config),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  });
}

export function toCluster(row: Selectable<ClustersTable>, codec: DialectCodec): StoredCluster {
  return decode(
    StoredCluster,
    `cluster ${row.id}`,
    defined({
      id: row.id,
      displayName: row.display_name,
      oceanClusterId: row.ocean_cluster_id,
      region: row.region,
      backend: row.backend,
      settings: codec.readJson(row.settings),
      createdAt: codec.readTime(row.created_at),
      updatedAt: codec.readTime(row.updated_at),
    }),
  );
}

export function tokenRow(token: ApiToken): Insertable<ApiTokensTable> {
  const list = (ids: string[] | undefined) => (ids === undefined ? null : writeJson(ids));
  return {
    id: token.id,
    name: token.name,
    secret_hash: token.secretHash,
    scopes: writeJson(token.scopes),
    cluster_ids: list(token.clusterIds),
    job_ids: list(token.jobIds),
    template_ids: list(token.templateIds),
    created_at: writeTime(token.createdAt, 'createdAt'),
    revoked_at: token.revokedAt === undefined ? null : writeTime(token.revokedAt, 'revokedAt'),
  };
}

export function toToken(row: Selectable<ApiTokensTable>, codec: DialectCodec): ApiToken {
  const list = (value: unknown) => (value === null ? undefined : codec.readJson(value));
  return decode(
    ApiToken,
    `token ${row.id}`,
    defined({
      id: row.id,
      name: row.name,
      secretHash: row.secret_hash,
      scopes: codec.readJson(row.scopes),
      clusterIds: list(row.cluster_ids),
      jobIds: list(row.job_ids),
      templateIds: list(row.template_ids),
      createdAt: codec.readTime(row.created_at),
      revokedAt: row.revoked_at === null ? undefined : codec.readTime(row.revoked_at),
    }),
  );
}

/** A measured run as the store reads it, through the domain's schemas of each part. */
const MeasuredRunRecord = z.strictObject({
  appId: ResourceId,
  endedAt: Timestamp,
  state: AppState,
  metrics: RunMetrics.pick({
    durationMs: true,
    inputBytes: true,
    outputBytes: true,
    efficiency: true,
    executorCoreSeconds: true,
  }).extend({ cost: RunCost.pick({ total: true }).optional() }),
  config: ApplicationConfig,
  provenance: Provenance,
  prediction: Prediction.optional(),
});

/** The columns a measured run is read from: the metrics' figures as columns, efficiency from the JSON. */
export interface MeasuredRunRow {
  id: string;
  state: string;
  ended_at: string | Date;
  config: unknown;
  provenance: unknown;
  cost: number | string | null;
  duration_ms: number | string;
  input_bytes: number | string;
  output_bytes: number | string;
  core_seconds: number | string;
  efficiency: number | string;
  prediction: unknown;
}

export function toMeasuredRun(row: MeasuredRunRow, codec: DialectCodec): MeasuredRun {
  return decode(MeasuredRunRecord, `application ${row.id}`, {
    appId: row.id,
    endedAt: codec.readTime(row.ended_at),
    state: row.state,
    metrics: {
      durationMs: Number(row.duration_ms),
      inputBytes: Number(row.input_bytes),
      outputBytes: Number(row.output_bytes),
      efficiency: Number(row.efficiency),
      executorCoreSeconds: Number(row.core_seconds),
      ...(row.cost === null ? {} : { cost: { total: Number(row.cost) } }),
    },
    config: codec.readJson(row.config),
    provenance: codec.readJson(row.provenance),
    ...(row.prediction === null || row.prediction === undefined ? {} : { prediction: codec.readJson(row.prediction) }),
  });
}
