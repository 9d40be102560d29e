/**
 * The runtime's sc:// endpoint: the Spark Connect proxy (runtime/adapters/connect) over the
 * runtime's tokens and sessions, started beside the HTTP server when `connect` is configured.
 */
import type { ConnectSessionResolver } from '../adapters/connect/session-resolver';
import { SparkConnectProxy } from '../adapters/connect/grpc-proxy';
import type { TokenService } from '../apps/token-service';
import type { SessionActivity, SessionUpstreams } from '../sessions/ports';
import { connectTlsOf } from './config';
import type { Runtime } from './runtime';

/** Each call's token is authenticated, then the session named by its session_id is looked up for that principal. */
export function sessionResolver(
  tokens: Pick<TokenService, 'authenticate'>,
  sessions: SessionUpstreams & SessionActivity,
): ConnectSessionResolver {
  return {
    async resolve(sparkConnectSessionId, token) {
      const principal = await tokens.authenticate(token);
      if (!principal) {
        return {
          refused: 'unauthenticated',
          message: 'the token is unknown or revoked: put a sparkplane API token in the sc:// URL as ;token=<token>',
        };
      }
      const found = await sessions.bySessionId(sparkConnectSessionId, principal);
      if ('refused' in found) return found;
      return { host: found.upstream.host, port: found.upstream.port, appId: found.appId };
    },
    touch: (appId) => sessions.touch(appId),
  };
}

/** Starts the sc:// endpoint when the runtime's config has one; undefined when it is off. */
export async function startConnectEndpoint(runtime: Runtime): Promise<SparkConnectProxy | undefined> {
  const { connect, host } = runtime.config;
  if (!connect) return undefined;
  return SparkConnectProxy.start({
    host: connect.host ?? host,
    port: connect.port,
    tls: connectTlsOf(connect),
    resolver: sessionResolver(runtime.tokens, runtime.sessions),
    logger: runtime.logger,
  });
}
