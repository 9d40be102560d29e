/**
 * What the Spark Connect relays (the Ocean WebSocket path, the sc:// gRPC proxy) need of sessions:
 * where a session answers, for a caller allowed to use it, and a clock of its last request.
 */
import type { Principal } from '../apps/principal';
import type { ConnectEndpoint } from '../domain/ports';
import type { SessionKind } from '../domain/session';

/** Touched by the relays on every request they pass to a session: its idle time-out counts from there. */
export interface SessionActivity {
  touch(appId: string): void;
}

/** Why a caller may not reach a session: no such session (or not theirs to see), not theirs to use, not running (or not of the kind asked). */
export type UpstreamRefusal =
  | { refused: 'not-found'; message: string }
  | { refused: 'forbidden'; message: string }
  | { refused: 'not-running'; message: string };

export type UpstreamLookup = { appId: string; upstream: ConnectEndpoint } | UpstreamRefusal;

export interface SessionUpstreams {
  /** By the Spark Connect session_id (a UUID) that a gRPC call carries; a Spark Connect session. */
  bySessionId(sessionId: string, principal: Principal): Promise<UpstreamLookup>;
  /**
   * By the application id (the Ocean path names it), within its cluster; a session of `kind` (a
   * session of another kind is not running what the caller speaks). @default kind "connect"
   */
  byAppId(clusterId: string, appId: string, principal: Principal, kind?: SessionKind): Promise<UpstreamLookup>;
}
