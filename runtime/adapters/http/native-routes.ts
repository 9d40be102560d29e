/** The native API under /api/v1: clusters, applications, jobs, config templates, tokens. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Application } from '../../domain/application';
import { Cluster, ClusterSpec } from '../../domain/cluster';
import { listOf, pageOf } from '../../domain/common';
import { KubeEvents } from '../../domain/kube-events';
import { MeasureRequest } from '../../domain/measurement';
import { JobStatistics } from '../../domain/job-statistics';
import { Recommendation } from '../../domain/recommendation';
import { ConfigTemplate, JobDetail, JobSpec, JobSummary, StoredTemplate, TemplateUpdate } from '../../domain/resources';
import { CreatedToken, CreateTokenRequest, TokenView } from '../../domain/tokens';
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
  LogText,
  NativeSubmitRequest,
  NoContent,
  PageQuery,
  PROBLEM_RESPONSES,
  TemplateParams,
  TokenParams,
} from './native-schemas';

const ClusterChange = ClusterSpec.omit({ id: true }).partial().meta({ id: 'ClusterChange' });

export function nativeRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const read = { scope: 'applications:read' } as const;
    const manageClusters = { scope: 'clusters:manage' } as const;
    const clusters = ['clusters'];

    app.get(
      '/clusters',
      {
        config: read,
        schema: {
          tags: clusters,
          summary: 'List clusters',
          description: 'Every cluster the token may see, with its back-end kind, settings and last probed health.',
          response: { 200: listOf(Cluster), ...PROBLEM_RESPONSES },
        },
      },
      async (request) => ({ items: await deps.clusters.list(request.principal) }),
    );
    app.post(
      '/clusters',
      {
        config: manageClusters,
        schema: {
          tags: clusters,
          summary: 'Create a cluster',
          description:
            'Declares a cluster and starts its back-end at once. Refused with 409 when the runtime takes its clusters from SPARKPLANE_CLUSTERS_FILE.',
          body: ClusterSpec,
          response: { 201: Cluster, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.clusters.create(request.body, request.principal)),
    );
    app.get(
      '/clusters/:clusterId',
      {
        config: read,
        schema: {
          tags: clusters,
          summary: 'Get a cluster',
          description:
            'The cluster with its state (AVAILABLE, PROGRESSING, DEGRADED, UNREACHABLE or UNAVAILABLE) and why.',
          params: ClusterParams,
          response: { 200: Cluster, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.clusters.get(request.params.clusterId, request.principal),
    );
    app.put(
      '/clusters/:clusterId',
      {
        config: manageClusters,
        schema: {
          tags: clusters,
          summary: 'Change a cluster',
          description:
            'Replaces its back-end kind and/or settings and restarts its back-end; refused while it runs applications.',
          params: ClusterParams,
          body: ClusterChange,
          response: { 200: Cluster, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.clusters.update(request.params.clusterId, request.body, request.principal),
    );
    app.delete(
      '/clusters/:clusterId',
      {
        config: manageClusters,
        schema: {
          tags: clusters,
          summary: 'Delete a cluster',
          description: 'Stops its back-end and forgets it; refused while it runs applications.',
          params: ClusterParams,
          response: { 204: NoContent, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deps.clusters.delete(request.params.clusterId, request.principal);
        return reply.code(204).send();
      },
    );

    const applications = ['applications'];
    app.post(
      '/applications',
      {
        config: { scope: 'applications:create' },
        schema: {
          tags: applications,
          summary: 'Submit an application',
          description:
            'Commits the application (state NEW) before answering, then hands it to the cluster. The effective config is template < tuning < job config < configOverrides. Naming an existing appId, or repeating an Idempotency-Key, returns that application (200) instead of a second run.',
          body: NativeSubmitRequest,
          headers: IdempotencyHeaders,
          response: { 201: Application, 200: Application, ...PROBLEM_RESPONSES },
        },
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
      {
        config: read,
        schema: {
          tags: applications,
          summary: 'List applications',
          description:
            'Filtered by cluster, job, state, user, type, creation time, labels and text in the ids; sorted (newest first by default, ties by id); paged with cursors that hold the sort key (a cursor is valid only with the sort and order it came from).',
          querystring: ListApplicationsQuery,
          response: { 200: pageOf(Application), ...PROBLEM_RESPONSES },
        },
      },
      (request) => {
        const q = request.query;
        const labels =
          q.label && Object.fromEntries(q.label.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
        return deps.applications.list(
          {
            ...(q.clusterId !== undefined ? { clusterId: q.clusterId } : {}),
            ...(q.jobId !== undefined ? { jobId: q.jobId } : {}),
            ...(q.userId !== undefined ? { userId: q.userId } : {}),
            ...(q.type ? { types: q.type } : {}),
            ...(q.retryOf !== undefined ? { retryOf: q.retryOf } : {}),
            ...(q.q !== undefined ? { q: q.q } : {}),
            ...(q.state ? { states: q.state } : {}),
            ...(q.from !== undefined ? { createdFrom: q.from } : {}),
            ...(q.to !== undefined ? { createdTo: q.to } : {}),
            ...(labels ? { labels } : {}),
            limit: q.limit,
            ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
            sort: { key: q.sort, order: q.order },
          },
          request.principal,
        );
      },
    );
    app.get(
      '/applications/:appId',
      {
        config: read,
        schema: {
          tags: applications,
          summary: 'Get an application',
          description:
            'Its state and why, the effective config with the provenance of every value, and, once it ended, its metrics and cost.',
          params: AppParams,
          response: { 200: Application, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.applications.get(request.params.appId, request.principal),
    );
    app.delete(
      '/applications/:appId',
      {
        config: { scope: 'applications:kill' },
        schema: {
          tags: applications,
          summary: 'Kill an application',
          description: 'Stops it and records KILLED; an application that already ended is returned unchanged.',
          params: AppParams,
          response: { 200: Application, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.applications.kill(request.params.appId, request.principal),
    );
    app.post(
      '/applications/:appId/measure',
      {
        config: { scope: 'admin' },
        schema: {
          tags: applications,
          summary: 'Measure an ended application again',
          description:
            'Reads its Spark event log now and stores its metrics, cost and measurement state (measured, estimated, or failed with the reason), e.g. after a log that was missing or cut is restored. Admin only; 409 while it has not ended.',
          params: AppParams,
          body: MeasureRequest,
          response: { 200: Application, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => {
        await deps.measurements.remeasure(request.params.appId);
        return deps.applications.get(request.params.appId, request.principal);
      },
    );
    app.get(
      '/applications/:appId/log',
      {
        config: read,
        schema: {
          tags: applications,
          summary: 'Read the driver log',
          description: 'The driver log so far; with follow=true, streamed until the application ends.',
          params: AppParams,
          querystring: LogQuery,
          produces: ['text/plain'],
          response: { 200: LogText, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        sendLines(reply, (signal) =>
          deps.applications.driverLog(
            request.params.appId,
            { follow: request.query.follow, signal },
            request.principal,
          ),
        ),
    );

    app.get(
      '/applications/:appId/kube-events',
      {
        config: read,
        schema: {
          tags: applications,
          summary: 'Kubernetes events of an application',
          description:
            'The events of its SparkApplication and pods, oldest first, one line each; `available` is false on a back-end without Kubernetes (the local one), whose list stays empty.',
          params: AppParams,
          response: { 200: KubeEvents, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.applications.kubeEventsOf(request.params.appId, request.principal),
    );

    const jobs = ['jobs'];
    app.get(
      '/jobs',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: 'List jobs',
          description: 'Jobs (named groups of applications), each with its next scheduled run when it has one.',
          querystring: ListJobsQuery,
          response: { 200: pageOf(JobSummary), ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.list(request.query, request.principal),
    );
    app.get(
      '/jobs/:jobId',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: 'Get a job',
          description: 'The job spec, its next scheduled run and its 20 latest executions.',
          params: JobParams,
          response: { 200: JobDetail, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.get(request.params.jobId, request.principal),
    );
    app.get(
      '/jobs/:jobId/executions',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: "List a job's executions",
          description: 'The applications of the job, newest first, paged with cursors.',
          params: JobParams,
          querystring: PageQuery,
          response: { 200: pageOf(Application), ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.executions(request.params.jobId, request.query, request.principal),
    );
    app.get(
      '/jobs/:jobId/statistics',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: "A job's statistics",
          description:
            'Medians of the last 10 measured runs (cost, duration, bytes read and written, efficiency) and the series of all runs.',
          params: JobParams,
          response: { 200: JobStatistics, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.statistics(request.params.jobId, request.principal),
    );
    app.get(
      '/jobs/:jobId/recommendation',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: "A job's tuning recommendation",
          description:
            'What tuning sets for the next run and why, each change with the signal behind it; applied only in tuning mode auto.',
          params: JobParams,
          response: { 200: Recommendation, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.recommendation(request.params.jobId, request.principal),
    );
    app.get(
      '/jobs/:jobId/config',
      {
        config: read,
        schema: {
          tags: jobs,
          summary: "Get a job's spec",
          description: 'The job as code: cluster, template, config, schedule, tuning and concurrency policies.',
          params: JobParams,
          response: { 200: JobSpec, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.getConfig(request.params.jobId, request.principal),
    );
    app.put(
      '/jobs/:jobId/config',
      {
        config: { scope: 'jobs:update' },
        schema: {
          tags: jobs,
          summary: "Create or replace a job's spec",
          description: 'A job stays on its cluster; its schedule, if any, takes effect at once.',
          params: JobParams,
          body: JobSpec,
          response: { 200: JobSummary, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.jobs.putConfig(request.params.jobId, request.body, request.principal),
    );

    const manage = { scope: 'templates:manage' } as const;
    const templates = ['templates'];
    app.get(
      '/clusters/:clusterId/templates',
      {
        config: read,
        schema: {
          tags: templates,
          summary: 'List config templates',
          description: "The cluster's config templates (a token limited to templates sees only those).",
          params: ClusterParams,
          response: { 200: listOf(StoredTemplate), ...PROBLEM_RESPONSES },
        },
      },
      async (request) => ({ items: await deps.templates.list(request.params.clusterId, request.principal) }),
    );
    app.post(
      '/clusters/:clusterId/templates',
      {
        config: manage,
        schema: {
          tags: templates,
          summary: 'Create a config template',
          description: 'The lowest layer of the config merge for the applications that name it.',
          params: ClusterParams,
          body: ConfigTemplate,
          response: { 201: StoredTemplate, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await deps.templates.create(request.params.clusterId, request.body, request.principal)),
    );
    app.get(
      '/clusters/:clusterId/templates/:templateId',
      {
        config: read,
        schema: {
          tags: templates,
          summary: 'Get a config template',
          description: 'One config template of the cluster.',
          params: TemplateParams,
          response: { 200: StoredTemplate, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.templates.get(request.params.clusterId, request.params.templateId, request.principal),
    );
    app.put(
      '/clusters/:clusterId/templates/:templateId',
      {
        config: manage,
        schema: {
          tags: templates,
          summary: 'Replace a config template',
          description: "Replaces the template's config; the next submissions that name it use the new one.",
          params: TemplateParams,
          body: TemplateUpdate,
          response: { 200: StoredTemplate, ...PROBLEM_RESPONSES },
        },
      },
      (request) =>
        deps.templates.update(request.params.clusterId, request.params.templateId, request.body, request.principal),
    );
    app.delete(
      '/clusters/:clusterId/templates/:templateId',
      {
        config: manage,
        schema: {
          tags: templates,
          summary: 'Delete a config template',
          description: 'Applications that used it keep their effective config.',
          params: TemplateParams,
          response: { 204: NoContent, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deps.templates.delete(request.params.clusterId, request.params.templateId, request.principal);
        return reply.code(204).send();
      },
    );

    const manageTokens = { scope: 'tokens:manage' } as const;
    const tokens = ['tokens'];
    app.get(
      '/tokens',
      {
        config: manageTokens,
        schema: {
          tags: tokens,
          summary: 'List API tokens',
          description: 'Every token with its scopes and limits; never a secret.',
          response: { 200: listOf(TokenView), ...PROBLEM_RESPONSES },
        },
      },
      async (request) => ({ items: await deps.tokens.list(request.principal) }),
    );
    app.post(
      '/tokens',
      {
        config: manageTokens,
        schema: {
          tags: tokens,
          summary: 'Create an API token',
          description:
            'Scopes as the hosted product named them are accepted too (spark:createApplication...). The secret is in this answer only.',
          body: CreateTokenRequest,
          response: { 201: CreatedToken, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => reply.code(201).send(await deps.tokens.create(request.body, request.principal)),
    );
    app.delete(
      '/tokens/:tokenId',
      {
        config: manageTokens,
        schema: {
          tags: tokens,
          summary: 'Revoke an API token',
          description: 'The token stops working at once on this replica, within 2 s on the others.',
          params: TokenParams,
          response: { 204: NoContent, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deps.tokens.revoke(request.params.tokenId, request.principal);
        return reply.code(204).send();
      },
    );
  };
}
