/** Domain records <-> table rows. NULL columns become absent properties, never `undefined` values. */
import type { Insertable, Selectable } from 'kysely';
import type { Application, SubmissionSource } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import type { Provenance } from '../../domain/merge';
import type { ApiToken, Scope, StoredCluster, StoredJob, StoredTemplate } from '../../domain/ports';
import type { JobSpec } from '../../domain/resources';
import type { AppState } from '../../domain/states';
import { writeJson, writeTime, type DialectCodec } from './dialect';
import type { ApiTokensTable, ApplicationsTable, ClustersTable, ConfigTemplatesTable, JobsTable } from './schema';

/** Copies the defined entries only, so optional properties stay absent. */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function applicationRow(app: Application): Insertable<ApplicationsTable> {
  return {
    id: app.id,
    cluster_id: app.clusterId,
    job_id: app.jobId,
    state: app.state,
    state_reason: app.stateReason ?? null,
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
    created_at: writeTime(app.createdAt, 'createdAt'),
    updated_at: writeTime(app.updatedAt, 'updatedAt'),
    started_at: app.startedAt === undefined ? null : writeTime(app.startedAt, 'startedAt'),
    ended_at: app.endedAt === undefined ? null : writeTime(app.endedAt, 'endedAt'),
  };
}

export function toApplication(row: Selectable<ApplicationsTable>, codec: DialectCodec): Application {
  return defined<Application>({
    id: row.id,
    clusterId: row.cluster_id,
    jobId: row.job_id,
    state: row.state as AppState,
    stateReason: row.state_reason ?? undefined,
    submissionSource: row.submission_source as SubmissionSource,
    userId: row.user_id ?? undefined,
    idempotencyKey: row.idempotency_key ?? undefined,
    configTemplateId: row.config_template_id ?? undefined,
    configOverrides: codec.readJson<ApplicationConfig>(row.config_overrides),
    config: codec.readJson<ApplicationConfig>(row.config),
    provenance: codec.readJson<Provenance>(row.provenance),
    backendRef: row.backend_ref ?? undefined,
    metrics: row.metrics === null ? undefined : codec.readJson<Record<string, unknown>>(row.metrics),
    stopRequest: row.stop_request === null ? undefined : codec.readJson<Application['stopRequest']>(row.stop_request),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
    startedAt: row.started_at === null ? undefined : codec.readTime(row.started_at),
    endedAt: row.ended_at === null ? undefined : codec.readTime(row.ended_at),
  });
}

export function toJob(row: Selectable<JobsTable>, codec: DialectCodec): StoredJob {
  return {
    ...codec.readJson<JobSpec>(row.spec),
    id: row.id,
    clusterId: row.cluster_id,
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export function toTemplate(row: Selectable<ConfigTemplatesTable>, codec: DialectCodec): StoredTemplate {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    config: codec.readJson<ApplicationConfig>(row.config),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export function toCluster(row: Selectable<ClustersTable>, codec: DialectCodec): StoredCluster {
  return {
    id: row.id,
    backend: row.backend as StoredCluster['backend'],
    settings: codec.readJson<Record<string, unknown>>(row.settings),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
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
  const list = (value: unknown) => (value === null ? undefined : codec.readJson<string[]>(value));
  return defined<ApiToken>({
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    scopes: codec.readJson<Scope[]>(row.scopes),
    clusterIds: list(row.cluster_ids),
    jobIds: list(row.job_ids),
    templateIds: list(row.template_ids),
    createdAt: codec.readTime(row.created_at),
    revokedAt: row.revoked_at === null ? undefined : codec.readTime(row.revoked_at),
  });
}
