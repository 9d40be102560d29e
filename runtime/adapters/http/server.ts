/**
 * The HTTP service: native API (/api/v1), Ocean-Spark-compatible API (/ocean/spark), OpenAPI at
 * /openapi.json and its reference at /docs, health at /healthz and /readyz. Built apart from
 * listen() so tests use inject() or listen on port 0.
 */
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors';
import { registerAuth } from './auth';
import type { HttpDeps } from './deps';
import { toDomainError } from './errors';
import { nativeRoutes } from './native-routes';
import { oceanError } from './ocean-envelope';
import { oceanRoutes } from './ocean-routes';
import { problemOf } from './problem';
import { zodValidatorCompiler } from './validation';

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
}

export const NATIVE_PREFIX = '/api/v1';
export const OCEAN_PREFIX = '/ocean/spark';

/** One route as registered: what the auth tests iterate over. */
export interface RouteEntry {
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

export async function buildServer(deps: HttpDeps, options: ServerOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    genReqId: () => randomUUID(),
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // an empty JSON body (DELETE with Content-Type but nothing sent) is no body, not an error
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) done(null, undefined);
    else defaultJson(request, body as string, done);
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

  if (options.docs ?? true) {
    await app.register(fastifySwagger, {
      openapi: {
        info: {
          title: 'sparkplane API',
          description: 'Native API (/api/v1) and Ocean-Spark-compatible API (/ocean/spark).',
          version: '1',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, () => app.swagger());
  }

  app.get('/healthz', { config: { scope: 'public' }, schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const ready = deps.ready ? await deps.ready().catch(() => false) : true;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });

  await app.register(nativeRoutes(deps), { prefix: NATIVE_PREFIX });
  await app.register(oceanRoutes(deps), { prefix: OCEAN_PREFIX });
  return app;
}
