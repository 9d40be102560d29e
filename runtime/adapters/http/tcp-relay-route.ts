/**
 * A WebSocket route relayed raw to one TCP stream of a running session (/connect to Spark Connect,
 * /hive to the Spark Thrift Server): the caller is checked and the session found before the
 * upgrade, so that a refusal is a problem document (401, 403, 404 or 409), never a WebSocket that
 * closes; each frame touches the session's idle clock.
 */
import { connect } from 'node:net';
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../apps/principal';
import { DomainError } from '../../domain/errors';
import type { ConnectEndpoint } from '../../domain/ports';
import type { SessionKind } from '../../domain/session';
import type { SessionActivity, SessionUpstreams } from '../../sessions/ports';
import { AccountQuery, OCEAN_ERROR_RESPONSES } from './ocean-schemas';
import { relayToTcp } from './ws-tcp-relay';

export const SessionAppParams = z.strictObject({ clusterId: z.string().min(1), appId: z.string().min(1) });
type SessionAppParams = z.infer<typeof SessionAppParams>;

const REFUSALS = {
  'not-found': 'RESOURCE_NOT_FOUND',
  forbidden: 'FORBIDDEN',
  'not-running': 'CONFLICT',
} as const;

type SessionsDeps = SessionUpstreams & SessionActivity;

/** The running session of `kind` that the caller may use, or the refusal as a DomainError. */
export async function sessionUpstreamOf(
  sessions: SessionUpstreams,
  params: SessionAppParams,
  principal: Principal | undefined,
  kind: SessionKind,
): Promise<{ appId: string; upstream: ConnectEndpoint }> {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'no bearer token');
  const found = await sessions.byAppId(params.clusterId, params.appId, principal, kind);
  if ('refused' in found) throw new DomainError(REFUSALS[found.refused], found.message);
  return found;
}

export interface TcpRelayRouteOptions {
  /** The path under the Ocean prefix, with :clusterId and :appId. */
  url: string;
  kind: SessionKind;
  sessions: SessionsDeps;
  schema: Pick<FastifySchema, 'summary' | 'description'> & { tags: string[] };
  /** What a plain GET (no upgrade) is told. */
  notAnUpgrade: string;
}

export function tcpRelayRoute(instance: FastifyInstance, options: TcpRelayRouteOptions): void {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const upstreams = new WeakMap<FastifyRequest, { appId: string; upstream: ConnectEndpoint }>();
  // wsHandler rather than `websocket: true`, which would hide the route from the OpenAPI document
  app.route({
    method: 'GET',
    url: options.url,
    config: { scope: 'applications:create' },
    schema: {
      ...options.schema,
      params: SessionAppParams,
      querystring: AccountQuery,
      response: {
        101: z
          .string()
          .meta({ description: 'Switching Protocols: from here on binary WebSocket frames, no HTTP body.' }),
        ...OCEAN_ERROR_RESPONSES,
      },
    },
    preValidation: async (request) => {
      const params = request.params as SessionAppParams;
      upstreams.set(request, await sessionUpstreamOf(options.sessions, params, request.principal, options.kind));
    },
    // a refused upgrade is an HTTP answer on a socket no HTTP server tracks: end it with the answer
    onSend: async (request, reply) => {
      if (isUpgrade(request)) reply.header('connection', 'close');
    },
    onResponse: async (request) => {
      // ended and destroyed: nothing reads this socket any more, so a half-closed one would never close
      if (isUpgrade(request)) request.raw.socket.end(() => request.raw.socket.destroy());
    },
    handler: async () => {
      throw new DomainError('VALIDATION_FAILED', options.notAnUpgrade);
    },
    wsHandler: (socket, request) => {
      const found = upstreams.get(request);
      if (!found) {
        socket.close(1011, 'no upstream');
        return;
      }
      relayToTcp(socket, connect(found.upstream.port, found.upstream.host), () => options.sessions.touch(found.appId));
    },
  });
}

/** From its headers: request.ws is not set yet when the authentication hook refuses it. */
export function isUpgrade(request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket';
}
