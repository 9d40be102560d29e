/**
 * The Ocean-Spark-compatible API under /ocean/spark, as ../shared/reference/ocean-spark-api.md
 * describes it: `accountId` on every call, the response envelope, Ocean item fields. Clients send
 * JSON bodies on GET and DELETE too; bodies are ignored where the call takes none.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ClusterState } from '../../domain/cluster';
import { ConfigTemplate, SubmitRequest, TemplateUpdate } from '../../domain/resources';
import type { HttpDeps } from './deps';
import { sendLines } from './log-stream';
import { oceanOk } from './ocean-envelope';
import { applicationItem, clusterItem, type ItemContext, templateItem } from './ocean-items';
import {
  AccountQuery,
  OCEAN_ERROR_RESPONSES,
  OCEAN_KINDS,
  OceanApplications,
  OceanClusterCreate,
  OceanClusters,
  OceanClusterUpdate,
  OceanTemplates,
} from './ocean-schemas';

const ClusterQuery = AccountQuery.extend({
  controllerClusterId: z.string().optional(),
  state: ClusterState.optional(),
});
const ClusterParams = z.strictObject({ clusterId: z.string().min(1) });
const AppParams = ClusterParams.extend({ appId: z.string().min(1) });
const TemplateParams = ClusterParams.extend({ templateId: z.string().min(1) });
const Text = z.string().meta({ description: 'Plain text, one line per line.' });

/** The Airflow provider and other clients send `null` for an absent optional field. */
async function dropNulls(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  request.body = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}

function context(request: Pick<FastifyRequest, 'protocol' | 'host'> & { query: { accountId: string } }): ItemContext {
  return { accountId: request.query.accountId, baseUrl: `${request.protocol}://${request.host}` };
}

export function oceanRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const now = () => deps.clock.now();
    const read = { scope: 'applications:read' } as const;
    const tags = ['ocean'];
    const clusters = { 200: OceanClusters, ...OCEAN_ERROR_RESPONSES };
    const applications = { 200: OceanApplications, ...OCEAN_ERROR_RESPONSES };
    const templates = { 200: OceanTemplates, ...OCEAN_ERROR_RESPONSES };
    const text = { 200: Text, ...OCEAN_ERROR_RESPONSES };

    app.get(
      '/cluster',
      {
        config: read,
        schema: {
          tags,
          summary: 'List clusters (Ocean)',
          description: 'The clusters the token may see, filtered by controllerClusterId and state.',
          querystring: ClusterQuery,
          response: clusters,
        },
      },
      async (request) => {
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
      },
    );
    app.get(
      '/cluster/:clusterId',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get a cluster (Ocean)',
          description:
            'items[0].state is AVAILABLE when the cluster takes applications (clients test a connection so).',
          querystring: AccountQuery,
          params: ClusterParams,
          response: clusters,
        },
      },
      async (request) =>
        oceanOk(request, now(), OCEAN_KINDS.cluster, [
          clusterItem(await deps.clusters.get(request.params.clusterId, request.principal), context(request)),
        ]),
    );
    const manageClusters = { scope: 'clusters:manage' } as const;
    app.post(
      '/cluster',
      {
        config: manageClusters,
        schema: {
          tags,
          summary: 'Create a cluster (Ocean)',
          description:
            '`cluster.config.backend` names the back-end kind (default kubernetes); the rest of `cluster.config` is its settings.',
          querystring: AccountQuery,
          body: OceanClusterCreate,
          response: clusters,
        },
      },
      async (request) => {
        const { oceanClusterId, config } = request.body.cluster;
        const { backend = 'kubernetes', ...settings } = config;
        const created = await deps.clusters.create(
          {
            id: `osc-${randomBytes(4).toString('hex')}`,
            backend,
            settings,
            ...(oceanClusterId ? { oceanClusterId } : {}),
          },
          request.principal,
        );
        return oceanOk(request, now(), OCEAN_KINDS.cluster, [clusterItem(created, context(request))]);
      },
    );
    app.put(
      '/cluster/:clusterId',
      {
        config: manageClusters,
        schema: {
          tags,
          summary: 'Change a cluster (Ocean)',
          description: "Merges `cluster.config` into the cluster's settings and restarts its back-end.",
          querystring: AccountQuery,
          params: ClusterParams,
          body: OceanClusterUpdate,
          response: clusters,
        },
      },
      async (request) => {
        const existing = await deps.clusters.get(request.params.clusterId, request.principal);
        const { displayName, ...settings } = request.body.cluster.config;
        const updated = await deps.clusters.update(
          existing.id,
          { settings: { ...existing.settings, ...settings }, ...(displayName ? { displayName } : {}) },
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
          summary: 'Delete a cluster (Ocean)',
          description: 'Refused while the cluster runs applications; forceDelete is accepted and changes nothing.',
          querystring: AccountQuery.extend({ forceDelete: z.enum(['true', 'false']).optional() }),
          params: ClusterParams,
          response: clusters,
        },
      },
      async (request) => {
        await deps.clusters.delete(request.params.clusterId, request.principal);
        return oceanOk(request, now(), OCEAN_KINDS.cluster, []);
      },
    );

    app.post(
      '/cluster/:clusterId/app',
      {
        config: { scope: 'applications:create' },
        preValidation: dropNulls,
        schema: {
          tags,
          summary: 'Submit an application (Ocean)',
          description:
            'The new application is response.items[0]; naming an existing appId returns it instead of a second run.',
          querystring: AccountQuery,
          params: ClusterParams,
          body: SubmitRequest,
          response: applications,
        },
      },
      async (request) => {
        const { app: submitted } = await deps.applications.submit(request.params.clusterId, request.body, {
          source: 'public-api',
          userId: request.principal?.name,
          actor: request.principal,
        });
        return oceanOk(request, now(), OCEAN_KINDS.application, [applicationItem(submitted, context(request))]);
      },
    );
    app.get(
      '/cluster/:clusterId/app/:appId',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get an application (Ocean)',
          description: 'response.items[0], with appState one of the hosted product’s seven states.',
          querystring: AccountQuery,
          params: AppParams,
          response: applications,
        },
      },
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
      {
        config: { scope: 'applications:kill' },
        schema: {
          tags,
          summary: 'Kill an application (Ocean)',
          description: 'An application that already ended is returned unchanged.',
          querystring: AccountQuery,
          params: AppParams,
          response: applications,
        },
      },
      async (request) => {
        const killed = await deps.applications.kill(request.params.appId, request.principal, request.params.clusterId);
        return oceanOk(request, now(), OCEAN_KINDS.application, [applicationItem(killed, context(request))]);
      },
    );
    const logRoute = (path: string, follow: boolean, summary: string) =>
      app.get(
        path,
        {
          config: read,
          schema: {
            tags,
            summary,
            description: follow ? 'Streamed until the application ends.' : 'The driver log so far.',
            querystring: AccountQuery,
            params: AppParams,
            produces: ['text/plain'],
            response: text,
          },
        },
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
    logRoute('/cluster/:clusterId/app/:appId/log/live', false, 'Read the driver log (Ocean)');
    logRoute('/cluster/:clusterId/app/:appId/logs/live', true, 'Follow the driver log (Ocean)');
    app.get(
      '/cluster/:clusterId/app/:appId/kubeEvents/live',
      {
        config: read,
        schema: {
          tags,
          summary: 'Kubernetes events of an application (Ocean)',
          description: 'Events of the application and its driver pod, one per line; empty on back-ends without them.',
          querystring: AccountQuery,
          params: AppParams,
          produces: ['text/plain'],
          response: text,
        },
      },
      async (request, reply) => {
        const events = await deps.applications.kubeEvents(
          request.params.clusterId,
          request.params.appId,
          request.principal,
        );
        return reply.type('text/plain; charset=utf-8').send(events.map((line) => `${line}\n`).join(''));
      },
    );

    const manage = { scope: 'templates:manage' } as const;
    const kind = OCEAN_KINDS.configTemplate;
    app.get(
      '/cluster/:clusterId/configTemplate',
      {
        config: read,
        schema: {
          tags,
          summary: 'List config templates (Ocean)',
          description: "The cluster's config templates.",
          querystring: AccountQuery,
          params: ClusterParams,
          response: templates,
        },
      },
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
      {
        config: manage,
        schema: {
          tags,
          summary: 'Create a config template (Ocean)',
          description: '`{id, config}`; the config is the same schema as a submission’s configOverrides.',
          querystring: AccountQuery,
          params: ClusterParams,
          body: ConfigTemplate,
          response: templates,
        },
      },
      async (request) => {
        const created = await deps.templates.create(request.params.clusterId, request.body, request.principal);
        return oceanOk(request, now(), kind, [templateItem(created, context(request))]);
      },
    );
    app.get(
      '/cluster/:clusterId/configTemplate/:templateId',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get a config template (Ocean)',
          description: 'response.items[0].',
          querystring: AccountQuery,
          params: TemplateParams,
          response: templates,
        },
      },
      async (request) => {
        const found = await deps.templates.get(request.params.clusterId, request.params.templateId, request.principal);
        return oceanOk(request, now(), kind, [templateItem(found, context(request))]);
      },
    );
    app.put(
      '/cluster/:clusterId/configTemplate/:templateId',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Replace a config template (Ocean)',
          description: "Replaces the template's config.",
          querystring: AccountQuery,
          params: TemplateParams,
          body: TemplateUpdate,
          response: templates,
        },
      },
      async (request) => {
        const { clusterId, templateId } = request.params;
        const updated = await deps.templates.update(clusterId, templateId, request.body, request.principal);
        return oceanOk(request, now(), kind, [templateItem(updated, context(request))]);
      },
    );
    app.delete(
      '/cluster/:clusterId/configTemplate/:templateId',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Delete a config template (Ocean)',
          description: 'Applications that used it keep their effective config.',
          querystring: AccountQuery,
          params: TemplateParams,
          response: templates,
        },
      },
      async (request) => {
        await deps.templates.delete(request.params.clusterId, request.params.templateId, request.principal);
        return oceanOk(request, now(), kind, []);
      },
    );
  };
}
