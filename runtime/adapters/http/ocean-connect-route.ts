/**
 * The Ocean Spark Connect path `GET /ocean/spark/cluster/{clusterId}/app/{appId}/connect`: a
 * WebSocket (no subprotocol) whose binary frames are the bytes of one TCP stream to the session's
 * Spark Connect server, raw in both directions. That is what `ocean-spark-connect` speaks: its
 * inverse websockify copies each TCP read into one frame and each frame back into the TCP stream.
 * The token, its scope, its limits and the session's owner are checked, and the session found
 * running, before the upgrade: a refusal is a problem document (401, 403, 404 or 409), never a
 * WebSocket that closes.
 */
import { connect } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { ConnectEndpoint } from '../../domain/ports';
import type { SessionActivity, SessionUpstreams } from '../../sessions/ports';
import { AccountQuery, OCEAN_ERROR_RESPONSES } from './ocean-schemas';
import { relayToTcp } from './ws-tcp-relay';

const ConnectParams = z.strictObject({ clusterId: z.string().min(1), appId: z.string().min(1) });

export const REFUSALS = {
  'not-found': 'RESOURCE_NOT_FOUND',
  forbidden: 'FORBIDDEN',
  'not-running': 'CONFLICT',
} as const;

export interface ConnectRouteDeps {
  sessions: SessionUpstreams & SessionActivity;
}

export function oceanConnectRoute(deps: ConnectRouteDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const upstreams = new WeakMap<FastifyRequest, { appId: string; upstream: ConnectEndpoint }>();
    // wsHandler rather than `websocket: true`, which would hide the route from the OpenAPI document
    app.route({
      method: 'GET',
      url: '/cluster/:clusterId/app/:appId/connect',
      config: { scope: 'applications:create' },
      schema: {
        tags: ['ocean: sessions'],
        summary: 'Spark Connect over a WebSocket',
        description:
          'Upgrades to a WebSocket (Authorization: Bearer, no subprotocol) relaying binary frames raw, in both directions, to the Spark Connect server of the running session appId over one TCP stream: what ocean-spark-connect (.host(...), .scheme("ws" or "wss")) speaks. Needs applications:create and to be who started the session (or an admin); a session that is not running is refused with 409, before the upgrade.',
        params: ConnectParams,
        querystring: AccountQuery,
        response: {
          101: z
            .string()
            .meta({ description: 'Switching Protocols: from here on binary WebSocket frames, no HTTP body.' }),
          ...OCEAN_ERROR_RESPONSES,
        },
      },
      preValidation: async (request) => {
        const { clusterId, appId } = request.params as z.infer<typeof ConnectParams>;
        if (!request.principal) throw new DomainError('UNAUTHENTICATED', 'no bearer token');
        const found = await deps.sessions.byAppId(clusterId, appId, request.principal);
        if ('refused' in found) throw new DomainError(REFUSALS[found.refused], found.message);
        upstreams.set(request, found);
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
        throw new DomainError(
          'VALIDATION_FAILED',
          'this path is a WebSocket: send "Connection: Upgrade" and "Upgrade: websocket" (as ocean-spark-connect does)',
        );
      },
      wsHandler: (socket, request) => {
        const found = upstreams.get(request);
        if (!found) {
          socket.close(1011, 'no upstream');
          return;
        }
        relayToTcp(socket, connect(found.upstream.port, found.upstream.host), () => deps.sessions.touch(found.appId));
      },
    });
  };
}

/** From its headers: request.ws is not set yet when the authentication hook refuses it. */
export function isUpgrade(request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket';
}
