/** The native API under /api/v1: clusters, applications, jobs, config templates, tokens. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ConfigTemplate, JobSpec, nextRunOf } from '../../domain/resources';
import { CreateTokenRequest } from '../../apps/token-service';
import type { HttpDeps } from './deps';
import { sendLines } from './log-stream';
import {
  AppParams,
  ClusterParams,
  IdempotencyHeaders,
  JobParams,
  ListApplicationsQuery,
  ListJobsQuery,
  LogQuery,
  NativeSubmitRequest,
  PageQuery,
  TemplateParams,
  TemplateUpdate,
  TokenParams,
} from './native-schemas';

export function nativeRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const read = { scope: 'applications:read' } as const;

    app.get('/clusters', { config: read, schema: { tags: ['clusters'] } }, async (request) => ({
      items: await deps.clusters.list(request.principal),
    }));
    app.get(
      '/clusters/:clusterId',
      { config: read, schema: { tags: ['clusters'], params: ClusterParams } },
      (request) => deps.clusters.get(request.params.clusterId, request.principal),
    );

    app.post(
      '/applications',
      {
        config: { scope: 'applications:create' },
        schema: { tags: ['applications'], body: NativeSubmitRequest, headers: IdempotencyHeaders },
      },
      async (request, reply) => {
        const { clusterId, ...submit } = request.body;
        const key = request.headers['idempotency-key'];
        const { app: submitted, created } = await deps.applications.submit(clusterId, submit, {
          source: 'api',
          userId: request.principal?.name,
          ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
          actor: request.principal,
        });
        return reply.code(created ? 201 : 200).send(submitted);
      },
    );
    app.get(
      '/applications',
      { config: read, schema: { tags: ['applications'], querystring: ListApplicationsQuery } },
      (request) => {
        const q = request.query;
        const labels =
          q.label && Object.fromEntries(q.label.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
        return deps.applications.list(
          {
            ...(q.clusterId !== undefined ? { clusterId: q.clusterId } : {}),
            ...(q.jobId !== undefined ? { jobId: q.jobId } : {}),
            ...(q.state ? { states: q.state } : {}),
            ...(q.from !== undefined ? { createdFrom: q.from } : {}),
            ...(q.to !== undefined ? { createdTo: q.to } : {}),
            ...(labels ? { labels } : {}),
            limit: q.limit,
            ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          },
          request.principal,
        );
      },
    );
    app.get(
      '/applications/:appId',
      { config: read, schema: { tags: ['applications'], params: AppParams } },
      (request) => deps.applications.get(request.params.appId, request.principal),
    );
    app.delete(
      '/applications/:appId',
      { config: { scope: 'applications:kill' }, schema: { tags: ['applications'], params: AppParams } },
      (request) => deps.applications.kill(request.params.appId, request.principal),
    );
    app.get(
      '/applications/:appId/log',
      { config: read, schema: { tags: ['applications'], params: AppParams, querystring: LogQuery } },
      (request, reply) =>
        sendLines(reply, (signal) =>
          deps.applications.driverLog(
            request.params.appId,
            { follow: request.query.follow, signal },
            request.principal,
          ),
        ),
    );

    app.get('/jobs', { config: read, schema: { tags: ['jobs'], querystring: ListJobsQuery } }, (request) =>
      deps.jobs.list(request.query, request.principal),
    );
    app.get('/jobs/:jobId', { config: read, schema: { tags: ['jobs'], params: JobParams } }, async (request) => {
      const job = await deps.jobs.get(request.params.jobId, request.principal);
      const executions = await deps.jobs.executions(job.id, { limit: 20 }, request.principal);
      const nextRunAt = job.schedule && nextRunOf(job.schedule, deps.clock.now())?.toISOString();
      return { ...job, ...(nextRunAt ? { nextRunAt } : {}), executions: executions.items };
    });
    app.get(
      '/jobs/:jobId/executions',
      { config: read, schema: { tags: ['jobs'], params: JobParams, querystring: PageQuery } },
      (request) => deps.jobs.executions(request.params.jobId, request.query, request.principal),
    );
    app.get('/jobs/:jobId/statistics', { config: read, schema: { tags: ['jobs'], params: JobParams } }, (request) =>
      deps.jobs.statistics(request.params.jobId, request.principal),
    );
    app.get('/jobs/:jobId/recommendation', { config: read, schema: { tags: ['jobs'], params: JobParams } }, (request) =>
      deps.jobs.recommendation(request.params.jobId, request.principal),
    );
    app.get('/jobs/:jobId/config', { config: read, schema: { tags: ['jobs'], params: JobParams } }, (request) =>
      deps.jobs.getConfig(request.params.jobId, request.principal),
    );
    app.put(
      '/jobs/:jobId/config',
      { config: { scope: 'jobs:update' }, schema: { tags: ['jobs'], params: JobParams, body: JobSpec } },
      (request) => deps.jobs.putConfig(request.params.jobId, request.body, request.principal),
    );

    const manage = { scope: 'templates:manage' } as const;
    app.get(
      '/clusters/:clusterId/templates',
      { config: read, schema: { tags: ['templates'], params: ClusterParams } },
      async (request) => ({
        items: await deps.templates.list(request.params.clusterId, request.principal),
      }),
    );
    app.post(
      '/clusters/:clusterId/templates',
      { config: manage, schema: { tags: ['templates'], params: ClusterParams, body: ConfigTemplate } },
      async (request, reply) =>
        reply.code(201).send(await deps.templates.create(request.params.clusterId, request.body, request.principal)),
    );
    app.get(
      '/clusters/:clusterId/templates/:templateId',
      { config: read, schema: { tags: ['templates'], params: TemplateParams } },
      (request) => deps.templates.get(request.params.clusterId, request.params.templateId, request.principal),
    );
    app.put(
      '/clusters/:clusterId/templates/:templateId',
      { config: manage, schema: { tags: ['templates'], params: TemplateParams, body: TemplateUpdate } },
      (request) =>
        deps.templates.update(request.params.clusterId, request.params.templateId, request.body, request.principal),
    );
    app.delete(
      '/clusters/:clusterId/templates/:templateId',
      { config: manage, schema: { tags: ['templates'], params: TemplateParams } },
      async (request, reply) => {
        await deps.templates.delete(request.params.clusterId, request.params.templateId, request.principal);
        return reply.code(204).send();
      },
    );

    const tokens = { scope: 'tokens:manage' } as const;
    app.get('/tokens', { config: tokens, schema: { tags: ['tokens'] } }, async (request) => ({
      items: await deps.tokens.list(request.principal),
    }));
    app.post(
      '/tokens',
      { config: tokens, schema: { tags: ['tokens'], body: CreateTokenRequest } },
      async (request, reply) => reply.code(201).send(await deps.tokens.create(request.body, request.principal)),
    );
    app.delete(
      '/tokens/:tokenId',
      { config: tokens, schema: { tags: ['tokens'], params: TokenParams } },
      async (request, reply) => {
        await deps.tokens.revoke(request.params.tokenId, request.principal);
        return reply.code(204).send();
      },
    );
  };
}
