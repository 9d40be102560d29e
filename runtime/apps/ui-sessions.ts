/**
 * Browser sessions of the Spark UI proxy. A browser following a link sends no Authorization
 * header, so signing in gives it an opaque random id (its cookie) mapped here to the token that
 * opened it, until an absolute expiry. The token itself never leaves the server: a session keeps
 * its hash, and every use authenticates that hash again, so a revoked token ends its sessions.
 *
 * Sessions live in this process's memory: they end with it, and a runtime of several replicas
 * needs its load balancer to keep a browser on one replica (sticky sessions).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../domain/ports';

export interface UiSession {
  /** The cookie's value: 256 random bits, base64url. */
  id: string;
  /** SHA-256 of the bearer token that opened the session (see TokenService.authenticateHash). */
  tokenHash: string;
  expiresAt: Date;
}

export interface UiSessionOptions {
  /** How long a session lasts from sign-in, seconds. @default 28800 (8 hours) */
  ttlSeconds?: number;
  /** Most sessions kept at once; opening one more ends the oldest. @default 10000 */
  maxSessions?: number;
}

export class UiSessions {
  readonly ttlSeconds: number;
  private readonly maxSessions: number;
  /** By id, in the order they were opened: with one time to live, also the order they expire. */
  private readonly sessions = new Map<string, UiSession>();

  constructor(
    private readonly clock: Clock,
    options: UiSessionOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 8 * 3600;
    this.maxSessions = options.maxSessions ?? 10_000;
    if (!(this.ttlSeconds > 0)) throw new Error(`ttlSeconds: ${this.ttlSeconds} is not a positive number of seconds`);
    if (!(this.maxSessions >= 1)) throw new Error(`maxSessions: ${this.maxSessions} is not at least 1`);
  }

  /** Sessions open now (expired ones not yet swept may be counted). */
  get size(): number {
    return this.sessions.size;
  }

  open(tokenHash: string): UiSession {
    const now = this.clock.now();
    this.sweep(now);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session: UiSession = {
      id: randomBytes(32).toString('base64url'),
      tokenHash,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session of this id, or undefined when it is unknown, closed or expired (then forgotten). */
  find(id: string): UiSession | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt.getTime() <= this.clock.now().getTime()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends the session; false when there was none. */
  close(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** Forgets the expired sessions at the front (the oldest), so memory follows the open ones. */
  private sweep(now: Date): void {
    for (const [id, session] of this.sessions) {
      if (session.expiresAt.getTime() > now.getTime()) return;
      this.sessions.delete(id);
    }
  }
}
