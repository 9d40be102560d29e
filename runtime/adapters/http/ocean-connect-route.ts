/**
 * The Ocean Spark Connect path `GET /ocean/spark/cluster/{clusterId}/app/{appId}/connect`: a
 * WebSocket (no subprotocol) whose binary frames are the bytes of one TCP stream to the session's
 * Spark Connect server, raw in both directions. That is what `ocean-spark-connect` speaks: its
 * inverse websockify copies each TCP read into one frame and each frame back into the TCP stream.
 * The token, its scope, its limits and the session's owner are checked, and the session found
 * running, before the upgrade (tcp-relay-route.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { SessionActivity, SessionUpstreams } from '../../sessions/ports';
import { tcpRelayRoute } from './tcp-relay-route';

export interface ConnectRouteDeps {
  sessions: SessionUpstreams & SessionActivity;
}

export function oceanConnectRoute(deps: ConnectRouteDeps) {
  return async (instance: FastifyInstance) => {
    tcpRelayRoute(instance, {
      url: '/cluster/:clusterId/app/:appId/connect',
      kind: 'connect',
      sessions: deps.sessions,
      schema: {
        tags: ['ocean: sessions'],
        summary: 'Spark Connect over a WebSocket',
        description:
          'Upgrades to a WebSocket (Authorization: Bearer, no subprotocol) relaying binary frames raw, in both directions, to the Spark Connect server of the running session appId over one TCP stream: what ocean-spark-connect (.host(...), .scheme("ws" or "wss")) speaks. Needs applications:create and to be who started the session (or an admin); a session that is not running is refused with 409, before the upgrade.',
      },
      notAnUpgrade:
        'this path is a WebSocket: send "Connection: Upgrade" and "Upgrade: websocket" (as ocean-spark-connect does)',
    });
  };
}
