/**
 * Sessions: interactive Spark Connect applications (type session, no job). Start, list, get and stop
 * go through the application use cases (same states, admission, metrics and cost); this adds the
 * connection details, the idle time-out (the last request a relay passed, else the start), and the
 * lookup the relays use to reach a running session.
 */
import type { ApplicationService, SubmitContext } from '../apps/application-service';
import { authorize, maySee, type Principal } from '../apps/principal';
import type { Application } from '../domain/application';
import { DomainError, notFound } from '../domain/errors';
import type { Clock, Logger, Store } from '../domain/ports';
import { silentLogger } from '../domain/ports';
import {
  DEFAULT_SESSION_IDLE_MINUTES,
  SessionStartRequest,
  sessionKindOf,
  type SessionKind,
  type SessionList,
  type SessionView,
} from '../domain/session';
import { ACTIVE_STATES, isTerminal } from '../domain/states';
import { parseOrThrow } from '../domain/validation';
import type { SessionActivity, SessionUpstreams, UpstreamLookup } from './ports';
import { sessionIdOf } from './session-id';

export interface SessionServiceDeps {
  applications: ApplicationService;
  store: Store;
  clock: Clock;
  /** The sc:// address of the runtime's gRPC proxy, e.g. "sc://spark.example.com:443". */
  connectPublicUrl: string;
  /** How often idle sessions are looked for, ms. @default 30000 */
  idleSweepIntervalMs?: number;
  /** @default silent */
  logger?: Logger;
}

/** Each session's idle limit, in minutes: its config's (overrides over template), else the default. */
export function idleTimeoutMinutesOf(app: Application): number {
  return app.config.session?.idleTimeoutMinutes ?? DEFAULT_SESSION_IDLE_MINUTES;
}

export class SessionService implements SessionActivity, SessionUpstreams {
  private readonly lastRequest = new Map<string, number>();
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly deps: SessionServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  async start(body: unknown, context: SubmitContext): Promise<SessionView> {
    const request = parseOrThrow(SessionStartRequest, body);
    const app = await this.deps.applications.startInteractive(
      request.clusterId,
      {
        type: 'session',
        ...(request.appId !== undefined ? { appId: request.appId } : {}),
        ...(request.configTemplateId !== undefined ? { configTemplateId: request.configTemplateId } : {}),
        ...(request.configOverrides !== undefined ? { configOverrides: request.configOverrides } : {}),
      },
      context,
    );
    return this.view(app);
  }

  async list(query: { clusterId?: string; limit?: number; cursor?: string }, actor?: Principal): Promise<SessionList> {
    const page = await this.deps.applications.list({ ...query, types: ['session'] }, actor);
    return {
      items: page.items.map((app) => this.view(app)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async get(id: string, actor?: Principal): Promise<SessionView> {
    return this.view(await this.session(id, actor));
  }

  /** Stops the session (KILLED; stopping an ended one changes nothing): its event log then completes and is measured. */
  async stop(id: string, actor?: Principal): Promise<SessionView> {
    await this.session(id, actor);
    const app = await this.deps.applications.kill(id, actor);
    this.lastRequest.delete(id);
    return this.view(app);
  }

  touch(appId: string): void {
    this.lastRequest.set(appId, this.deps.clock.now().getTime());
  }

  async bySessionId(sessionId: string, principal: Principal): Promise<UpstreamLookup> {
    for await (const app of this.activeSessions()) {
      if (sessionIdOf(app.id) === sessionId) return this.upstreamOf(app, principal, 'connect');
    }
    return { refused: 'not-found', message: `no active session has session_id ${sessionId}` };
  }

  async byAppId(
    clusterId: string,
    appId: string,
    principal: Principal,
    kind: SessionKind = 'connect',
  ): Promise<UpstreamLookup> {
    const app = await this.deps.store.getApplication(appId);
    if (!app || app.type !== 'session' || app.clusterId !== clusterId || !maySee(principal, targetOf(app))) {
      return { refused: 'not-found', message: `session ${appId} not found in cluster ${clusterId}` };
    }
    return this.upstreamOf(app, principal, kind);
  }

  /** Sweeps idle sessions every idleSweepIntervalMs until stop(). */
  startSweeping(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweepIdle(), this.deps.idleSweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  async stopSweeping(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Stops (TIMED_OUT) each running session whose last request is older than its idle limit. */
  sweepIdle(): Promise<void> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweep(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    for await (const app of this.activeSessions()) {
      if (app.state !== 'RUNNING') continue;
      const minutes = idleTimeoutMinutesOf(app);
      if (now - this.lastActivity(app) < minutes * 60_000) continue;
      try {
        await this.deps.applications.lifecycle.stop(
          app,
          'TIMED_OUT',
          `idle for ${minutes} minutes without a request (session.idleTimeoutMinutes)`,
        );
        this.lastRequest.delete(app.id);
        this.logger.info({ appId: app.id, idleTimeoutMinutes: minutes }, 'idle session stopped');
      } catch (error) {
        this.logger.warn({ appId: app.id, err: error }, 'could not stop an idle session');
      }
    }
  }

  private lastActivity(app: Application): number {
    return this.lastRequest.get(app.id) ?? Date.parse(app.startedAt ?? app.createdAt);
  }

  private async *activeSessions(): AsyncIterable<Application> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listApplications({ types: ['session'], states: ACTIVE_STATES }, 200, cursor);
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** A session the caller may read; any other id (an application that is no session included) is not found. */
  private async session(id: string, actor?: Principal): Promise<Application> {
    const app = await this.deps.applications.get(id, actor);
    if (app.type !== 'session') throw notFound('session', id);
    return app;
  }

  /** Using a session takes the scope to submit, the token's limits, and being who started it (or an admin). */
  private async upstreamOf(app: Application, principal: Principal, kind: SessionKind): Promise<UpstreamLookup> {
    try {
      authorize(principal, 'applications:create', targetOf(app));
    } catch (error) {
      return { refused: 'forbidden', message: (error as DomainError).message };
    }
    if (!principal.scopes.includes('admin') && app.userId !== principal.name) {
      return {
        refused: 'forbidden',
        message: `session ${app.id} belongs to ${app.userId ?? 'the runtime'}, not to token "${principal.name}"`,
      };
    }
    const serves = sessionKindOf(app.config);
    if (serves !== kind) {
      return {
        refused: 'not-running',
        message: `session ${app.id} is a ${serves} session (session.kind): it serves ${SERVES[serves]}, not ${SERVES[kind]}`,
      };
    }
    if (app.state !== 'RUNNING') {
      return {
        refused: 'not-running',
        message: `session ${app.id} is ${app.state}${app.stateReason ? `: ${app.stateReason}` : ''}`,
      };
    }
    const upstream = await this.deps.applications.lifecycle.backendOf(app.clusterId)?.connectEndpoint?.(app);
    if (!upstream)
      return { refused: 'not-running', message: `session ${app.id} has no Spark Connect endpoint on its back-end` };
    return { appId: app.id, upstream };
  }

  private view(app: Application): SessionView {
    const sessionId = sessionIdOf(app.id);
    const active = !isTerminal(app.state);
    const appPath = `/ocean/spark/cluster/${app.clusterId}/app/${app.id}`;
    return {
      application: app,
      sessionId,
      idleTimeoutMinutes: idleTimeoutMinutesOf(app),
      ...(active ? { lastActivityAt: new Date(this.lastActivity(app)).toISOString() } : {}),
      connect: {
        sparkConnectUrl: `${this.deps.connectPublicUrl}/;token=<token>;session_id=${sessionId}`,
        oceanPath: `${appPath}/connect`,
        ...(sessionKindOf(app.config) === 'sql' ? { hivePath: `${appPath}/hive`, codePath: `${appPath}/code` } : {}),
      },
    };
  }
}

const SERVES: Record<SessionKind, string> = {
  connect: 'Spark Connect (sc://, /connect)',
  sql: 'HiveServer2 Thrift (/hive, /code)',
};

function targetOf(app: Application) {
  return { clusterId: app.clusterId, jobId: app.jobId, templateId: app.configTemplateId };
}
