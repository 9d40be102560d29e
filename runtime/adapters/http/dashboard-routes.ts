/** What the dashboards read under /api/v1: the cost report, a cluster's summary and the stream of application changes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { watchVisible } from '../../apps/application-changes';
import { ResourceId } from '../../domain/common';
import { ApplicationChange, ClusterSummary, CostQuery, CostReport, SummaryWindow } from '../../domain/insights';
import type { HttpDeps } from './deps';
import { type OpenStreams, sendEvents } from './event-stream';
import { ClusterParams, PROBLEM_RESPONSES } from './native-schemas';

const SummaryQuery = z.strictObject({
  window: SummaryWindow.default('24h').meta({ description: 'The last 24 h, 7 d or 30 d. @default 24h' }),
});

const EventsQuery = z.strictObject({
  clusterId: ResourceId.optional().meta({ description: 'Only the changes of applications of this cluster.' }),
  jobId: ResourceId.optional().meta({ description: 'Only the changes of applications of this job.' }),
});

const EventStreamText = z.string().meta({
  description:
    'text/event-stream: for every change, `event: application` and `data:` one line of JSON, an ApplicationChange ({"application": Application}); a comment line (": heartbeat") every 15 s.',
  examples: ['event: application\ndata: {"application":{"id":"nightly-1","state":"RUNNING","...":"..."}}\n\n'],
});

export function dashboardRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const read = { scope: 'applications:read' } as const;
    const streams: OpenStreams = new Set();
    // a stream of changes never ends by itself: the server ends them before it waits for its connections
    instance.addHook('preClose', async () => {
      for (const end of [...streams]) end();
    });

    app.get(
      '/costs',
      {
        config: read,
        schema: {
          tags: ['costs'],
          summary: 'Cost report',
          description:
            'Cost, core-hours and application-hours of the applications that ended in [from, to), each counted on the UTC day it ended: the total, every day with its groups (the top groups of the range, then "(other)" for the rest of the day), and the top groups of the range with their share. Summed by the store; a token limited to clusters or jobs sees only theirs.',
          querystring: CostQuery,
          response: { 200: CostReport, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.insights.costs(request.query, request.principal),
    );

    app.get(
      '/clusters/:clusterId/summary',
      {
        config: read,
        schema: {
          tags: ['clusters'],
          summary: "A cluster's summary",
          description:
            'Over the last 24 h, 7 d or 30 d: spend, core-hours, data read and written and efficiency of the applications that ended, counts per state, ends per day by final state, and running and pending applications with the cores they hold, sampled at even steps (48, 84 or 120).',
          params: ClusterParams,
          querystring: SummaryQuery,
          response: { 200: ClusterSummary, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.insights.clusterSummary(request.params.clusterId, request.query.window, request.principal),
    );

    app.get(
      '/applications/events',
      {
        config: read,
        schema: {
          tags: ['applications'],
          summary: 'Stream of application changes',
          description:
            'Server-sent events: every submission, state change and metrics update this replica commits, of the applications the token may see (optionally of one cluster or job), as `event: application` with an ApplicationChange as `data`. With several replicas, each streams what it commits. Browsers read it with fetch (EventSource cannot send the Authorization header).',
          querystring: EventsQuery,
          produces: ['text/event-stream'],
          response: { 200: EventStreamText, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        sendEvents(
          reply,
          (sink) =>
            watchVisible(deps.changes, request.principal, request.query, (application) => {
              const change: ApplicationChange = { application };
              sink.send('application', change);
            }),
          streams,
        ),
    );
  };
}
