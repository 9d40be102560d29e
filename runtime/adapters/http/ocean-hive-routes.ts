/**
 * The Ocean paths of dbt-ocean-spark, to the Spark Thrift Server of a sql session (session.kind sql):
 *
 * - `GET .../app/{appId}/hive`: a WebSocket (no subprotocol) whose binary frames are the bytes of one
 *   TCP stream to the server's binary HiveServer2 port, raw both ways (dbt-ocean-spark's method
 *   `thrift`: TBufferedTransport over its TWebSocket, NOSASL).
 * - `POST .../app/{appId}/code`: Thrift over HTTP, one call per POST in `application/x-thrift`
 *   (dbt-ocean-spark's method `http`: THttpClient), relayed by ThriftCallRelay so that the session a
 *   client opened outlives each POST.
 *
 * As /connect: the token, its scope and limits and the session's owner are checked, and the session
 * found running, before anything reaches the server; each request touches the session's idle clock.
 */
import { connect } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { ConnectEndpoint } from '../../domain/ports';
import type { Principal } from '../../apps/principal';
import type { SessionActivity, SessionUpstreams } from '../../sessions/ports';
import { ThriftCallRelay } from '../thrift/call-relay';
import { isUpgrade, REFUSALS } from './ocean-connect-route';
import { AccountQuery, OCEAN_ERROR_RESPONSES } from './ocean-schemas';
import { relayToTcp } from './ws-tcp-relay';

const AppParams = z.strictObject({ clusterId: z.string().min(1), appId: z.string().min(1) });

const THRIFT = 'application/x-thrift';

/** The bytes of one Thrift message (binary protocol), in and out. */
const ThriftMessage = z
  .instanceof(Buffer, { message: 'is not bytes: expected a Thrift call sent as Content-Type application/x-thrift' })
  .meta({
    type: 'string',
    format: 'binary',
    description: 'One Thrift message in the binary protocol (TBinaryProtocol).',
  });

export interface HiveRouteDeps {
  sessions: SessionUpstreams & SessionActivity;
}

async function upstreamOf(
  deps: HiveRouteDeps,
  params: z.infer<typeof AppParams>,
  principal: Principal | undefined,
): Promise<{ appId: string; upstream: ConnectEndpoint }> {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'no bearer token');
  const found = await deps.sessions.byAppId(params.clusterId, params.appId, principal, 'sql');
  if ('refused' in found) throw new DomainError(REFUSALS[found.refused], found.message);
  return found;
}

export function oceanHiveRoutes(deps: HiveRouteDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const relay = new ThriftCallRelay();
    app.addHook('onClose', async () => relay.close());
    const upstreams = new WeakMap<FastifyRequest, { appId: string; upstream: ConnectEndpoint }>();

    // wsHandler rather than `websocket: true`, which would hide the route from the OpenAPI document
    app.route({
      method: 'GET',
      url: '/cluster/:clusterId/app/:appId/hive',
      config: { scope: 'applications:create' },
      schema: {
        tags: ['ocean: sessions'],
        summary: 'HiveServer2 binary Thrift over a WebSocket',
        description:
          "Upgrades to a WebSocket (Authorization: Bearer, no subprotocol) relaying binary frames raw, in both directions, to the Spark Thrift Server (HiveServer2, binary transport, NOSASL) of the running sql session appId (session.kind sql) over one TCP stream: dbt-ocean-spark's method thrift. Needs applications:create and to be who started the session (or an admin); a session that is not running, or not a sql session, is refused with 409 before the upgrade.",
        params: AppParams,
        querystring: AccountQuery,
        response: {
          101: z
            .string()
            .meta({ description: 'Switching Protocols: from here on binary WebSocket frames, no HTTP body.' }),
          ...OCEAN_ERROR_RESPONSES,
        },
      },
      preValidation: async (request) => {
        upstreams.set(request, await upstreamOf(deps, request.params as z.infer<typeof AppParams>, request.principal));
      },
      // a refused upgrade is an HTTP answer on a socket no HTTP server tracks: end it with the answer
      onSend: async (request, reply) => {
        if (isUpgrade(request)) reply.header('connection', 'close');
      },
      onResponse: async (request) => {
        if (isUpgrade(request)) request.raw.socket.end(() => request.raw.socket.destroy());
      },
      handler: async () => {
        throw new DomainError(
          'VALIDATION_FAILED',
          'this path is a WebSocket: send "Connection: Upgrade" and "Upgrade: websocket" (as dbt-ocean-spark does); POST Thrift over HTTP to .../code instead',
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

    app.addContentTypeParser(THRIFT, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.route({
      method: 'POST',
      url: '/cluster/:clusterId/app/:appId/code',
      config: { scope: 'applications:create' },
      schema: {
        tags: ['ocean: sessions'],
        summary: 'HiveServer2 Thrift over HTTP',
        description:
          "One Thrift call (binary protocol, Content-Type application/x-thrift) to the Spark Thrift Server of the running sql session appId, answered with its reply: dbt-ocean-spark's method http (THttpClient). A HiveServer2 session opened here lasts until its CloseSession (or the session's end), across POSTs; an OpenSession past 64 open per application is refused with 429. Needs applications:create and to be who started the session (or an admin); a session that is not running, or not a sql session, is refused with 409; a body that is not one complete call with 400.",
        params: AppParams,
        querystring: AccountQuery,
        consumes: [THRIFT],
        produces: [THRIFT],
        body: ThriftMessage,
        response: { 200: ThriftMessage, ...OCEAN_ERROR_RESPONSES },
      },
      handler: async (request, reply) => {
        const found = await upstreamOf(deps, request.params, request.principal);
        deps.sessions.touch(found.appId);
        const answer = await relay.call(found.appId, found.upstream, request.body);
        return reply.type(THRIFT).send(answer);
      },
    });
  };
}
