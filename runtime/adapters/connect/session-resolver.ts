/**
 * What the Spark Connect proxy needs from the sessions: who may use a Spark Connect session and
 * where its server listens. The composition root implements it over the sessions; the proxy's
 * tests over a fake.
 */

/** Where a session's Spark Connect server listens (plaintext gRPC, reachable from the runtime only). */
export interface ConnectTarget {
  host: string;
  port: number;
  /** The application the session runs as: what `touch` marks as used. */
  appId: string;
  /**
   * The pre-shared token the session's server was started with (spark.connect.authenticate.token),
   * sent to it as `authorization: Bearer`; the client's own token never reaches Spark.
   * @default absent: no authorization header is sent to the server
   */
  serverToken?: string;
}

/** Why a call is refused; each kind is one gRPC status. */
export type ConnectRefusalKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'not-running';

export interface ConnectRefusal {
  refused: ConnectRefusalKind;
  /** Says what was wrong and what is expected: the client shows it to its user. */
  message: string;
}

export type ConnectResolution = ConnectTarget | ConnectRefusal;

export interface ConnectSessionResolver {
  /**
   * The target of a call to the Spark Connect session `sparkConnectSessionId` (field 1 of the
   * call's first message) with the bearer token the client sent, or why it is refused: an unknown
   * or expired token is unauthenticated; a token without the scope to use that session is
   * forbidden; no such session is not-found; a session not (or no longer) running is not-running.
   * Asked for every call.
   */
  resolve(sparkConnectSessionId: string, token: string): Promise<ConnectResolution>;
  /** A call of the session's application was let through: its idle time-out starts again. */
  touch(appId: string): void;
}

export function isRefusal(resolution: ConnectResolution): resolution is ConnectRefusal {
  return 'refused' in resolution;
}
