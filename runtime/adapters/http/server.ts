/**
 * The HTTP service: native API (/api/v1), Ocean-Spark-compatible API (/ocean/spark), OpenAPI 3.1
 * at /openapi.json and its reference at /docs, health at /healthz and /readyz, Prometheus
 * metrics at /metrics. Built apart from listen() so tests use inject() or listen on port 0.
 */
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { describeIssues } from '../../domain/validation';
import type { PrometheusTelemetry } from '../prometheus/prometheus-telemetry';
import { registerAuth } from './auth';
import type { HttpDeps } from './deps';
import { toDomainError } from './errors';
import { dashboardRoutes } from './dashboard-routes';
import { nativeRoutes } from './native-routes';
import { notebookRoutes } from './notebook-routes';
import { PROBLEM_RESPONSES } from './native-schemas';
import { oceanError } from './ocean-envelope';
import { OCEAN_ERROR_RESPONSES } from './ocean-schemas';
import { oceanRoutes } from './ocean-routes';
import { oceanConnectRoute } from './ocean-connect-route';
import { oceanHiveRoutes } from './ocean-hive-routes';
import { sessionRoutes } from './session-routes';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth';
import { problemOf } from './problem';
import { registerUiStatic } from './ui-static';
import { sparkUiProxy } from './spark-ui-proxy';
import { timelineRoutes } from './timeline-routes';
import { zodValidatorCompiler } from './validation';
import { whoamiRoute } from './whoami-route';

export type { HttpDeps } from './deps';

export interface ServerOptions {
  /** Largest request body, bytes; larger ones get 413. @default 1048576 */
  bodyLimitBytes?: number;
  /** Fastify's logger option (true, pino options). @default false */
  logger?: FastifyServerOptions['logger'];
  /** A ready pino logger to use instead of `logger`. */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Serve /openapi.json and /docs. @default true */
  docs?: boolean;
  /**
   * Check every answer against its route's response schema; one that does not fit is logged and
   * answered 500 (the tests turn it on, so a route that breaks its contract fails them). @default false
   */
  validateResponses?: boolean;
  /** Serve /metrics from it and time every request into it. @default no /metrics */
  telemetry?: PrometheusTelemetry;
  /**
   * Serve the web dashboards at `/` (runtime/ui/dist, or this directory); `false`: none. Without a
   * build `/` answers 503 saying how to make one. @default true
   */
  ui?: boolean | { root: string };
}

/** Request logs: reads (what polling clients send) at debug, changes at info. */
class RequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = {
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (error) request.log.error({ ...fields, err: error }, 'request failed');
    else if (request.method === 'GET' || request.method === 'HEAD') request.log.debug(fields, 'request completed');
    else request.log.info(fields, 'request completed');
  }
}

const Health = z.strictObject({
  status: z.enum(['ok', 'ready', 'not ready']),
  /** Why it is not ready: each names what stops it. */
  reasons: z.array(z.string()).optional(),
});

const NATIVE_PREFIX = '/api/v1';
const OCEAN_PREFIX = '/ocean/spark';

/** One route as registered: what the auth tests iterate over. */
interface RouteEntry {
  method: string;
  url: string;
  scope: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the scope it requires ('public': none). */
    routeTable: RouteEntry[];
  }
}

function isOcean(request: FastifyRequest): boolean {
  return request.url.startsWith(`${OCEAN_PREFIX}/`) || request.url === OCEAN_PREFIX;
}

const RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'Done; no body',
  '503': 'Not ready',
  '4XX': 'The request failed: the error code and, for invalid input, every field with its value and what was expected',
  '5XX': 'The server or a back-end failed: the error code, never internal details',
};

interface DocumentedResponse {
  description?: string;
  content?: Record<string, unknown>;
}

/**
 * Response descriptions by status code, where the route's schema gives none, and the media type
 * errors really have: problem documents in the native API, the JSON envelope in the Ocean API
 * (also on routes whose success is plain text).
 */
function describeResponses<T>(openapi: T): T {
  const paths = (
    openapi as { paths?: Record<string, Record<string, { responses?: Record<string, DocumentedResponse> }>> }
  ).paths;
  for (const [path, methods] of Object.entries(paths ?? {})) {
    const errorType = path.startsWith(OCEAN_PREFIX) ? 'application/json' : 'application/problem+json';
    for (const operation of Object.values(methods)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === 'Default Response') response.description = RESPONSE_DESCRIPTIONS[status] ?? status;
        const schema = Object.values(response.content ?? {})[0];
        if (/^[45]/.test(status) && schema) response.content = { [errorType]: schema };
      }
    }
  }
  return openapi;
}

export async function buildServer(deps: HttpDeps, options: ServerOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    // longer ids reach the routes, whose validation names the field, instead of the router's 414
    routerOptions: { maxParamLength: 1000 },
    // a malformed URL gets the same error documents as every other bad request
    frameworkErrors: (error, request, reply) =>
      void sendError(
        request,
        reply,
        new DomainError('VALIDATION_FAILED', `the URL is not valid: ${error.message}`, [
          { path: '(url)', message: `(url): ${error.message}` },
        ]),
      ),
    genReqId: () => randomUUID(),
    logController: new RequestLogs(),
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(({ schema, method, url }) => {
    if (!options.validateResponses || !(schema instanceof z.ZodType)) return (data) => JSON.stringify(data);
    return (data) => {
      const result = schema.safeParse(data);
      if (!result.success) {
        const issues = describeIssues(result.error, data).map((i) => i.message);
        throw new Error(`the answer of ${method} ${url} does not fit its response schema: ${issues.join('; ')}`);
      }
      return JSON.stringify(data);
    };
  });
  const telemetry = options.telemetry;
  if (telemetry) {
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? 'none', status: reply.statusCode };
      telemetry.http.observe({ ...labels, status: String(labels.status) }, reply.elapsedTime / 1000);
    });
  }

  // an empty JSON body (DELETE with Content-Type but nothing sent) is no body, not an error
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    const depth = jsonDepth(text);
    if (depth > MAX_JSON_DEPTH) {
      const message = `(body): nested ${depth} levels deep: expected at most ${MAX_JSON_DEPTH}`;
      return done(new DomainError('VALIDATION_FAILED', message, [{ path: '(body)', message }]), undefined);
    }
    defaultJson(request, text, done);
  });

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: DomainError) => {
    if (error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
    reply.code(error.status);
    if (isOcean(request))
      return reply.type('application/json; charset=utf-8').send(oceanError(request, deps.clock.now(), error));
    return reply
      .type('application/problem+json; charset=utf-8')
      .send(problemOf(error, request.url.split('?')[0] ?? ''));
  };
  app.setErrorHandler((error, request, reply) => {
    const { error: mapped, unexpected } = toDomainError(error, bodyLimitBytes);
    if (unexpected) request.log.error({ err: error }, 'unexpected error while serving a request');
    return sendError(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new DomainError('RESOURCE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  app.decorate('routeTable', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    // the documentation routes (swagger-ui's static files) are public
    if (route.url.startsWith('/docs')) route.config = { ...route.config, scope: 'public' };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      app.routeTable.push({ method, url: route.url, scope: route.config?.scope ?? 'admin' });
    }
  });
  registerAuth(app, deps.tokens);
  // the Spark Connect and HiveServer2 relays (ocean-connect-route.ts, ocean-hive-routes.ts) and the kernels' channels (notebook-routes.ts); no
  // payload limit beyond those of Spark Connect's and Jupyter's own messages
  await app.register(fastifyWebsocket, { options: { maxPayload: 256 * 1024 * 1024 } });

  if (options.docs ?? true) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'sparkplane API',
          description: 'Native API (/api/v1) and Ocean-Spark-compatible API (/ocean/spark).',
          version: '1',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: (input) => describeResponses(jsonSchemaTransformObject(input)),
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, () => app.swagger());
  }

  const health = ['health'];
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: {
        tags: health,
        summary: 'Liveness',
        description: 'The process serves requests.',
        security: [],
        response: { 200: Health },
      },
    },
    () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { scope: 'public' },
      schema: {
        tags: health,
        summary: 'Readiness',
        description:
          'Start-up reconciliation is done, clusters are declared, the store writes, and the data directory has room and is writable: 200 ready, else 503 not ready with the reasons.',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const reasons = deps.readiness
        ? await deps.readiness().catch((error: unknown) => [`the readiness checks failed: ${String(error)}`])
        : [];
      return reasons.length === 0
        ? reply.code(200).send({ status: 'ready' })
        : reply.code(503).send({ status: 'not ready', reasons });
    },
  );
  if (telemetry) {
    app.get(
      '/metrics',
      {
        // it names every cluster, so it takes a token: a scrape holds one that can read nothing else
        config: { scope: 'metrics:read' },
        schema: {
          tags: health,
          summary: 'Prometheus metrics',
          description:
            'Applications submitted, started and ended by cluster and state, queued and running now, submission latency, event-log parse time, store latency, back-end errors, request durations. Needs a token with metrics:read (e.g. SPARKPLANE_METRICS_TOKEN, the one a ServiceMonitor sends) or admin.',
          produces: ['text/plain'],
          response: { 200: z.string(), ...PROBLEM_RESPONSES },
        },
      },
      async (_request, reply) => reply.type(telemetry.contentType).send(await telemetry.metrics()),
    );
  }

  await app.register(nativeRoutes(deps), { prefix: NATIVE_PREFIX });
  await app.register(whoamiRoute, { prefix: NATIVE_PREFIX });
  await app.register(dashboardRoutes(deps), { prefix: NATIVE_PREFIX });
  await app.register(timelineRoutes(deps), { prefix: NATIVE_PREFIX });
  await app.register(sessionRoutes(deps), { prefix: NATIVE_PREFIX });
  await app.register(oceanRoutes(deps), { prefix: OCEAN_PREFIX });
  await app.register(oceanConnectRoute(deps), { prefix: OCEAN_PREFIX });
  await app.register(oceanHiveRoutes(deps), { prefix: OCEAN_PREFIX });
  await app.register(sparkUiProxy(deps));
  if (deps.notebooks) {
    // the kernels' channels are WebSockets (the plug-in registered above), upgraded after the routes' hooks ran
    await app.register(notebookRoutes(deps.notebooks, { errors: PROBLEM_RESPONSES, tag: 'notebooks' }), {
      prefix: `${NATIVE_PREFIX}/clusters/:clusterId/notebook`,
    });
    await app.register(notebookRoutes(deps.notebooks, { errors: OCEAN_ERROR_RESPONSES, tag: 'ocean' }), {
      prefix: `${OCEAN_PREFIX}/cluster/:clusterId/notebook`,
    });
  }
  const ui = options.ui ?? true;
  if (ui) await registerUiStatic(app, typeof ui === 'object' ? { root: ui.root } : {});
  return app;
}
