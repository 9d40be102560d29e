/** Applications, clusters and templates as the Ocean Spark API's items (shapes in ocean-schemas.ts). */
import { createHash } from 'node:crypto';
import type { Application } from '../../domain/application';
import type { Cluster } from '../../domain/cluster';
import type { RunMetrics } from '../../domain/metrics';
import type { StoredTemplate } from '../../domain/resources';
import type { OceanApplicationItem, OceanClusterItem, OceanTemplateItem } from './ocean-schemas';

/** A stable UUID-shaped id derived from the app id (the hosted product's internalId was a UUID). */
function internalIdOf(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function metricsItem(m: RunMetrics): NonNullable<OceanApplicationItem['metrics']> {
  return {
    cost: { total: m.cost?.total ?? 0 },
    spark: {
      sparkCoresDurationSeconds: m.executorCoreSeconds,
      inputDataBytes: m.inputBytes,
      outputDataBytes: m.outputBytes,
      durationSeconds: m.durationMs / 1000,
      efficiencyPercent: Math.round(m.efficiency * 10_000) / 100,
    },
  };
}

export interface ItemContext {
  accountId: string;
  /** scheme://host of this server, for the stream URLs. */
  baseUrl: string;
}

export function applicationItem(app: Application, ctx: ItemContext): OceanApplicationItem {
  const appPath = `${ctx.baseUrl}/ocean/spark/cluster/${app.clusterId}/app/${app.id}`;
  const account = `accountId=${encodeURIComponent(ctx.accountId)}`;
  return {
    id: app.id,
    internalId: internalIdOf(app.id),
    displayName: app.id,
    accountId: ctx.accountId,
    userId: app.userId ?? null,
    clusterId: app.clusterId,
    controllerClusterId: app.clusterId,
    appState: app.state === 'NEW' ? 'PENDING' : app.state,
    stateReason: app.stateReason ?? null,
    submissionSource: app.submissionSource,
    job: app.jobId === undefined ? null : { id: app.jobId, displayName: app.jobId },
    configTemplateId: app.configTemplateId ?? null,
    config: app.config,
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
    startedAt: app.startedAt ?? null,
    endedAt: app.endedAt ?? null,
    log: {
      logsStreamUrl: `${appPath}/logs/live?${account}`,
      kubeEventsStreamUrl: `${appPath}/kubeEvents/live?${account}`,
    },
    metrics: app.metrics ? metricsItem(app.metrics) : null,
  };
}

export function clusterItem(cluster: Cluster, ctx: ItemContext): OceanClusterItem {
  return {
    id: cluster.id,
    accountId: ctx.accountId,
    displayName: cluster.displayName ?? cluster.id,
    state: cluster.state,
    controllerClusterId: cluster.id,
    oceanClusterId: cluster.oceanClusterId ?? null,
    backend: cluster.backend,
    config: cluster.settings,
    createdAt: cluster.createdAt,
    updatedAt: cluster.updatedAt,
  };
}

export function templateItem(template: StoredTemplate, ctx: ItemContext): OceanTemplateItem {
  return {
    id: template.id,
    accountId: ctx.accountId,
    clusterId: template.clusterId,
    config: template.config,
    createdAt: template.createdAt,
    updatedAt: template.updatedAt,
  };
}
