/**
 * The Ocean-Spark-compatible API under /ocean/spark, as ../shared/reference/ocean-spark-api.md
 * describes it: `accountId` on every call, the response envelope, Ocean item fields. Clients send
 * JSON bodies on GET and DELETE too; bodies are ignored where the call takes none.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDeps } from './deps';
import { sendLines } from './log-stream';
import { OCEAN_KINDS, oceanOk } from './ocean-envelope';
import { applicationItem, clusterItem, type ItemContext, templateItem } from './ocean-items';

const AccountQuery = z.looseObject({ accountId: z.string().min(1) });
const ClusterQuery = AccountQuery.extend({ controllerClusterId: z.string().optional(), state: z.string().optional() });
const ClusterParams = z.strictObject({ clusterId: z.string().min(1) });
const AppParams = ClusterParams.extend({ appId: z.string().min(1) });
const TemplateParams = ClusterParams.extend({ templateId: z.string().min(1) });

/** The Airflow provider and other clients may send `null` for an absent optional field. */
function withoutNulls(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}

function context(request: Pick<FastifyRequest, 'protocol' | 'host'> & { query: { accountId: string } }): ItemContext {
  return { accountId: request.query.accountId, baseUrl: `${request.protocol}://${request.host}` };
}

function clusterBody(body: unknown): Record<string, unknown> {
  const cluster = (body as { cluster?: unknown } | undefined)?.cluster;
  return cluster !== null && typeof cluster === 'object' ? (cluster as Record<string, unknown>) : {};
}

export function oceanRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const now = () => deps.clock.now();
    const read = { scope: 'applications:read' } as const;
    const tags = ['ocean'];

    app.get('/cluster', { config: read, schema: { tags, querystring: ClusterQuery } }, async (request) => {
      const ctx = context(request);
      const { controllerClusterId, state } = request.query;
      const items = (await deps.clusters.list(request.principal))
        .map((c) => clusterItem(c, ctx))
        .filter(
          (c) =>
            (controllerClusterId === undefined || c.controllerClusterId === controllerClusterId) &&
            (state === undefined || c.state === state),
        );
      return oceanOk(request, now(), OCEAN_KINDS.cluster, items);
    });
    app.get(
      '/cluster/:clusterId',
      { config: read, schema: { tags, querystring: AccountQuery, params: ClusterParams } },
      async (request) =>
        oceanOk(request, now(), OCEAN_KINDS.cluster, [
          clusterItem(await deps.clusters.get(request.params.clusterId, request.principal), context(request)),
        ]),
    );
    const manageClusters = { scope: 'clusters:manage' } as const;
    app.post('/cluster', { config: manageClusters, schema: { tags, querystring: AccountQuery } }, async (request) => {
      const { oceanClusterId, config } = clusterBody(request.body);
      const settings = config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {};
      const backend = settings.backend === 'local' ? 'local' : 'kubernetes';
      const created = await deps.clusters.create(
        { id: `osc-${randomBytes(4).toString('hex')}`, backend, settings: { ...settings, oceanClusterId } },
        request.principal,
      );
      return oceanOk(request, now(), OCEAN_KINDS.cluster, [clusterItem(created, context(request))]);
    });
    app.put(
      '/cluster/:clusterId',
      { config: manageClusters, schema: { tags, querystring: AccountQuery, params: ClusterParams } },
      async (request) => {
        const existing = await deps.clusters.get(request.params.clusterId, request.principal);
        const { config } = clusterBody(request.body);
        const settings = config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {};
        const updated = await deps.clusters.update(
          existing.id,
          { settings: { ...existing.settings, ...settings } },
          request.principal,
        );
        return oceanOk(request, now(), OCEAN_KINDS.cluster, [clusterItem(updated, context(request))]);
      },
    );
    app.delete(
      '/cluster/:clusterId',
      {
        config: manageClusters,
        schema: {
          tags,
          querystring: AccountQuery.extend({ forceDelete: z.string().optional() }),
          params: ClusterParams,
        },
      },
      async (request) => {
        await deps.clusters.delete(request.params.clusterId, request.principal);
        return oceanOk(request, now(), OCEAN_KINDS.cluster, []);
      },
    );

    app.post(
      '/cluster/:clusterId/app',
      { config: { scope: 'applications:create' }, schema: { tags, querystring: AccountQuery, params: ClusterParams } },
      async (request) => {
        const { app: submitted } = await deps.applications.submit(
          request.params.clusterId,
          withoutNulls(request.body),
          {
            source: 'public-api',
            userId: request.principal?.name,
            actor: request.principal,
          },
        );
        return oceanOk(request, now(), OCEAN_KINDS.application, [applicationItem(submitted, context(request))]);
      },
    );
    app.get(
      '/cluster/:clusterId/app/:appId',
      { config: read, schema: { tags, querystring: AccountQuery, params: AppParams } },
      async (request) => {
        const found = await deps.applications.getInCluster(
          request.params.clusterId,
          request.params.appId,
          request.principal,
        );
        return oceanOk(request, now(), OCEAN_KINDS.application, [applicationItem(found, context(request))]);
      },
    );
    app.delete(
      '/cluster/:clusterId/app/:appId',
      { config: { scope: 'applications:kill' }, schema: { tags, querystring: AccountQuery, params: AppParams } },
      async (request) => {
        const killed = await deps.applications.kill(request.params.appId, request.principal, request.params.clusterId);
        return oceanOk(request, now(), OCEAN_KINDS.application, [applicationItem(killed, context(request))]);
      },
    );
    const logRoute = (path: string, follow: boolean) =>
      app.get(
        path,
        { config: read, schema: { tags, querystring: AccountQuery, params: AppParams } },
        async (request, reply) => {
          const found = await deps.applications.getInCluster(
            request.params.clusterId,
            request.params.appId,
            request.principal,
          );
          return sendLines(reply, (signal) =>
            deps.applications.driverLog(found.id, { follow, signal }, request.principal),
          );
        },
      );
    logRoute('/cluster/:clusterId/app/:appId/log/live', false);
    logRoute('/cluster/:clusterId/app/:appId/logs/live', true);
    // Kubernetes events: the local back-end has none; the stream ends at once (the k8s back-end will fill it)
    app.get(
      '/cluster/:clusterId/app/:appId/kubeEvents/live',
      { config: read, schema: { tags, querystring: AccountQuery, params: AppParams } },
      async (request, reply) => {
        const app = await deps.applications.getInCluster(
          request.params.clusterId,
          request.params.appId,
          request.principal,
        );
        const events = (await deps.applications.lifecycle.backendOf(app.clusterId)?.kubeEvents?.(app)) ?? [];
        return reply.type('text/plain; charset=utf-8').send(events.map((line) => `${line}\n`).join(''));
      },
    );

    const manage = { scope: 'templates:manage' } as const;
    const kind = OCEAN_KINDS.configTemplate;
    app.get(
      '/cluster/:clusterId/configTemplate',
      { config: read, schema: { tags, querystring: AccountQuery, params: ClusterParams } },
      async (request) => {
        const ctx = context(request);
        const items = await deps.templates.list(request.params.clusterId, request.principal);
        return oceanOk(
          request,
          now(),
          kind,
          items.map((t) => templateItem(t, ctx)),
        );
      },
    );
    app.post(
      '/cluster/:clusterId/configTemplate',
      { config: manage, schema: { tags, querystring: AccountQuery, params: ClusterParams } },
      async (request) => {
        const created = await deps.templates.create(request.params.clusterId, request.body, request.principal);
        return oceanOk(request, now(), kind, [templateItem(created, context(request))]);
      },
    );
    app.get(
      '/cluster/:clusterId/configTemplate/:templateId',
      { config: read, schema: { tags, querystring: AccountQuery, params: TemplateParams } },
      async (request) => {
        const found = await deps.templates.get(request.params.clusterId, request.params.templateId, request.principal);
        return oceanOk(request, now(), kind, [templateItem(found, context(request))]);
      },
    );
    app.put(
      '/cluster/:clusterId/configTemplate/:templateId',
      { config: manage, schema: { tags, querystring: AccountQuery, params: TemplateParams } },
      async (request) => {
        const { clusterId, templateId } = request.params;
        const updated = await deps.templates.update(clusterId, templateId, request.body, request.principal);
        return oceanOk(request, now(), kind, [templateItem(updated, context(request))]);
      },
    );
    app.delete(
      '/cluster/:clusterId/configTemplate/:templateId',
      { config: manage, schema: { tags, querystring: AccountQuery, params: TemplateParams } },
      async (request) => {
        await deps.templates.delete(request.params.clusterId, request.params.templateId, request.principal);
        return oceanOk(request, now(), kind, []);
      },
    );
  };
}
