/** GET /api/v1/applications/{appId}/timeline: the run's jobs, stages, cores and memory from its event log, live while it runs. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApplicationTimeline } from '../../domain/timeline';
import type { HttpDeps } from './deps';
import { AppParams, PROBLEM_RESPONSES } from './native-schemas';

export function timelineRoutes(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/applications/:appId/timeline',
      {
        config: { scope: 'applications:read' },
        schema: {
          tags: ['applications'],
          summary: "An application's timeline",
          description:
            "From its Spark event log: jobs and stages with their times, task counts, bytes and spill; executor cores allocated against busy over at most 200 even steps; each executor's peak JVM heap, off-heap, Python and other memory against what its pod asks for; and the problems found (out of memory, lost executors, failed tasks, spill, skew, GC over 10 %). While the application runs (`live: true`) the in-progress log is read incrementally: each request reads only the lines written since the last. 404 when the application has no event log yet, or the token may not see it.",
          params: AppParams,
          response: { 200: ApplicationTimeline, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.timelines.timeline(request.params.appId, request.principal),
    );
  };
}
