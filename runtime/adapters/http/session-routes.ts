/** The native API of interactive sessions under /api/v1/sessions: start, list, get, stop. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ResourceId } from '../../domain/common';
import { SessionList, SessionStartRequest, SessionView } from '../../domain/session';
import type { HttpDeps } from './deps';
import { AppParams, PageQuery, PROBLEM_RESPONSES } from './native-schemas';

const ListSessionsQuery = PageQuery.extend({ clusterId: ResourceId.optional() });

export function sessionRoutes(deps: Pick<HttpDeps, 'sessions'>) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['sessions'];
    app.post(
      '/sessions',
      {
        config: { scope: 'applications:create' },
        schema: {
          tags,
          summary: 'Start a session',
          description:
            'Commits an application of type session (no job) and starts its Spark Connect server once admission lets it; it is RUNNING once Spark Connect answers. The config is template < configOverrides; `session.idleTimeoutMinutes` (default 60) stops it after that long without a request.',
          body: SessionStartRequest,
          response: { 201: SessionView, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const session = await deps.sessions.start(request.body, {
          source: 'api',
          ...(request.principal ? { userId: request.principal.name, actor: request.principal } : {}),
        });
        return reply.code(201).send(session);
      },
    );
    app.get(
      '/sessions',
      {
        config: { scope: 'applications:read' },
        schema: {
          tags,
          summary: 'List sessions',
          description: 'The sessions the token may see, newest first, with how to connect to each.',
          querystring: ListSessionsQuery,
          response: { 200: SessionList, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.sessions.list(request.query, request.principal),
    );
    app.get(
      '/sessions/:appId',
      {
        config: { scope: 'applications:read' },
        schema: {
          tags,
          summary: 'Get a session',
          description:
            'The session application (state and why, metrics and cost once it ended), its Spark Connect session_id, idle time-out and last request, and how to connect.',
          params: AppParams,
          response: { 200: SessionView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.sessions.get(request.params.appId, request.principal),
    );
    app.delete(
      '/sessions/:appId',
      {
        config: { scope: 'applications:kill' },
        schema: {
          tags,
          summary: 'Stop a session',
          description:
            'Stops its Spark Connect server (KILLED); its event log then completes and is measured. Stopping an ended session changes nothing.',
          params: AppParams,
          response: { 200: SessionView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => deps.sessions.stop(request.params.appId, request.principal),
    );
  };
}
