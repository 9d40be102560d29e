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
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionActivity, SessionUpstreams } from '../../sessions/ports';
import { ThriftCallRelay } from '../thrift/call-relay';
import { OCEAN_ERROR_RESPONSES, AccountQuery } from './ocean-schemas';
import { SessionAppParams, sessionUpstreamOf, tcpRelayRoute } from './tcp-relay-route';

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

export function oceanHiveRoutes(deps: HiveRouteDeps) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const relay = new ThriftCallRelay();
    app.addHook('onClose', async () => relay.close());

    tcpRelayRoute(instance, {
      url: '/cluster/:clusterId/app/:appId/hive',
      kind: 'sql',
      sessions: deps.sessions,
      schema: {
        tags: ['ocean: sessions'],
        summary: 'HiveServer2 binary Thrift over a WebSocket',
        description:
          "Upgrades to a WebSocket (Authorization: Bearer, no subprotocol) relaying binary frames raw, in both directions, to the Spark Thrift Server (HiveServer2, binary transport, NOSASL) of the running sql session appId (session.kind sql) over one TCP stream: dbt-ocean-spark's method thrift. Needs applications:create and to be who started the session (or an admin); a session that is not running, or not a sql session, is refused with 409 before the upgrade.",
      },
      notAnUpgrade:
        'this path is a WebSocket: send "Connection: Upgrade" and "Upgrade: websocket" (as dbt-ocean-spark does); POST Thrift over HTTP to .../code instead',
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
        params: SessionAppParams,
        querystring: AccountQuery,
        consumes: [THRIFT],
        produces: [THRIFT],
        body: ThriftMessage,
        response: { 200: ThriftMessage, ...OCEAN_ERROR_RESPONSES },
      },
      handler: async (request, reply) => {
        const found = await sessionUpstreamOf(deps.sessions, request.params, request.principal, 'sql');
        deps.sessions.touch(found.appId);
        const answer = await relay.call(found.appId, found.upstream, request.body);
        return reply.type(THRIFT).send(answer);
      },
    });
  };
}
