/**
 * Sessions: interactive Spark Connect applications (type session, no job). Start, list, get and stop
 * go through the application use cases (same states, admission, metrics and cost); this adds the
 * connection details, the idle time-out (the last request a relay passed, else the start), and the
 * lookup the relays use to reach a running session. Both the endpoint and the last request are in
 * the store (Store.touchSession, putSessionEndpoint), so that any replica's relays route to a
 * session and any replica's sweep enforces its time-out. Touches come with every relayed call, so
 * each replica writes one at most once per touchWriteIntervalMs per session (the first at once, the
 * last of an interval when it ends): the stored clock lags what this replica saw by less than that.
 * A session's stored state goes when it ends (the replica that commits the end deletes it); what a
 * crash between the two leaves is swept when the sweep starts.
 */
import type { ApplicationChanges } from '../apps/application-changes';
import type { ApplicationService, SubmitContext } from '../apps/application-service';
import { authorize, maySee, type Principal } from '../apps/principal';
import type { Application } from '../domain/application';
import { DomainError, notFound } from '../domain/errors';
import type { Clock, ConnectEndpoint, Logger, SessionState, Store } from '../domain/ports';
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
  /** Least time between two writes of one session's last request to the store, ms. @default 30000 */
  touchWriteIntervalMs?: number;
  /**
   * The changes this replica commits: a session it sees RUNNING gets its endpoint stored, one it sees
   * end loses its stored state. @default none (the sweep stores endpoints; ended states stay until a sweep starts)
   */
  changes?: Pick<ApplicationChanges, 'subscribe'>;
  /** @default silent */
  logger?: Logger;
}

/** Each session's idle limit, in minutes: its config's (overrides over template), else the default. */
export function idleTimeoutMinutesOf(app: Application): number {
  return app.config.session?.idleTimeoutMinutes ?? DEFAULT_SESSION_IDLE_MINUTES;
}

export class SessionService implements SessionActivity, SessionUpstreams {
  /** The last request this replica passed to each session, epoch ms. */
  private readonly lastRequest = new Map<string, number>();
  /** When this replica last wrote each session's last request, and its pending write at the end of the interval. */
  private readonly lastWrite = new Map<string, number>();
  private readonly trailingWrites = new Map<string, NodeJS.Timeout>();
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private leftovers: Promise<void> | undefined;

  constructor(private readonly deps: SessionServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
    deps.changes?.subscribe((app) => {
      if (app.type !== 'session') return;
      if (app.state === 'RUNNING') void this.publishEndpoint(app);
      else if (isTerminal(app.state)) void this.ended(app.id);
    });
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
    const states = await this.statesOf(page.items);
    return {
      items: page.items.map((app) => this.view(app, states.get(app.id))),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async get(id: string, actor?: Principal): Promise<SessionView> {
    const app = await this.session(id, actor);
    return this.view(app, (await this.statesOf([app])).get(app.id));
  }

  /** Stops the session (KILLED; stopping an ended one changes nothing): its event log then completes and is measured. */
  async stop(id: string, actor?: Principal): Promise<SessionView> {
    await this.session(id, actor);
    const app = await this.deps.applications.kill(id, actor);
    this.forget(id);
    return this.view(app);
  }

  touch(appId: string): void {
    const now = this.deps.clock.now().getTime();
    this.lastRequest.set(appId, now);
    const interval = this.deps.touchWriteIntervalMs ?? 30_000;
    const written = this.lastWrite.get(appId);
    if (written === undefined || now - written >= interval) {
      void this.writeTouch(appId);
      return;
    }
    if (this.trailingWrites.has(appId)) return;
    const timer = setTimeout(
      () => {
        this.trailingWrites.delete(appId);
        void this.writeTouch(appId);
      },
      interval - (now - written),
    );
    timer.unref();
    this.trailingWrites.set(appId, timer);
  }

  /** Stores the last request this replica passed to the session. */
  private async writeTouch(appId: string): Promise<void> {
    const at = this.lastRequest.get(appId);
    if (at === undefined) return;
    this.lastWrite.set(appId, this.deps.clock.now().getTime());
    try {
      await this.deps.store.touchSession(appId, new Date(at).toISOString());
    } catch (error) {
      this.logger.warn({ appId, err: error }, "could not store a session's last request");
    }
  }

  /** A session that ended: nothing routes to it or times it out any more, so its stored state goes. */
  private async ended(appId: string): Promise<void> {
    this.forget(appId);
    try {
      await this.deps.store.deleteSessionStates([appId]);
    } catch (error) {
      this.logger.warn({ appId, err: error }, "could not delete an ended session's state: the next sweep start does");
    }
  }

  private forget(appId: string): void {
    this.lastRequest.delete(appId);
    this.lastWrite.delete(appId);
    clearTimeout(this.trailingWrites.get(appId));
    this.trailingWrites.delete(appId);
  }

  /** Stores where a running session answers, as this replica's back-end knows it; undefined when it does not. */
  private async publishEndpoint(app: Application): Promise<ConnectEndpoint | undefined> {
    try {
      const endpoint = await this.deps.applications.lifecycle.backendOf(app.clusterId)?.connectEndpoint?.(app);
      if (endpoint) await this.deps.store.putSessionEndpoint(app.id, endpoint);
      return endpoint;
    } catch (error) {
      this.logger.warn({ appId: app.id, err: error }, "could not store a session's endpoint");
      return undefined;
    }
  }

  private async statesOf(apps: Application[]): Promise<Map<string, SessionState>> {
    const states = await this.deps.store.getSessionStates(apps.map((app) => app.id));
    return new Map(states.map((state) => [state.appId, state]));
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

  /** Sweeps idle sessions every idleSweepIntervalMs until stop(), after deleting what ended sessions left in the store. */
  startSweeping(): void {
    if (this.timer) return;
    this.leftovers = this.deleteLeftovers();
    this.timer = setInterval(() => void this.sweepIdle(), this.deps.idleSweepIntervalMs ?? 30_000);
    this.timer.unref();
  }

  /** The stored state of sessions that ended while no replica could delete it (a crash, the store down). */
  private async deleteLeftovers(): Promise<void> {
    try {
      const deleted = await this.deps.store.deleteEndedSessionStates();
      if (deleted > 0) this.logger.info({ deleted }, 'deleted the stored state of sessions that had ended');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not delete the stored state of ended sessions');
    }
  }

  /** Stops the sweep, and stores the last requests still waiting for their write. */
  async stopSweeping(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.sweeping, this.leftovers]);
    const pending = [...this.trailingWrites.keys()];
    for (const timer of this.trailingWrites.values()) clearTimeout(timer);
    this.trailingWrites.clear();
    await Promise.all(pending.map((appId) => this.writeTouch(appId)));
  }

  /** Stops (TIMED_OUT) each running session whose last request is older than its idle limit. */
  sweepIdle(): Promise<void> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweep(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    for await (const page of this.activeSessionPages()) {
      const running = page.filter((app) => app.state === 'RUNNING');
      const states = await this.statesOf(running);
      for (const app of running) await this.sweepOne(app, states.get(app.id), now);
    }
  }

  private async sweepOne(app: Application, state: SessionState | undefined, now: number): Promise<void> {
    // one this replica started before a restart, or whose change it did not commit: stored now
    if (!state?.endpoint) await this.publishEndpoint(app);
    const minutes = idleTimeoutMinutesOf(app);
    if (now - this.lastActivity(app, state) < minutes * 60_000) return;
    try {
      await this.deps.applications.lifecycle.stop(
        app,
        'TIMED_OUT',
        `idle for ${minutes} minutes without a request (session.idleTimeoutMinutes)`,
      );
      this.forget(app.id);
      this.logger.info({ appId: app.id, idleTimeoutMinutes: minutes }, 'idle session stopped');
    } catch (error) {
      this.logger.warn({ appId: app.id, err: error }, 'could not stop an idle session');
    }
  }

  /** The latest of: the last request this replica passed, the one stored (any replica's), the start. */
  private lastActivity(app: Application, state: SessionState | undefined): number {
    return Math.max(
      this.lastRequest.get(app.id) ?? 0,
      state?.lastActivityAt !== undefined ? Date.parse(state.lastActivityAt) : 0,
      Date.parse(app.startedAt ?? app.createdAt),
    );
  }

  private async *activeSessionPages(): AsyncIterable<Application[]> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listApplications({ types: ['session'], states: ACTIVE_STATES }, 200, cursor);
      yield page.items;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  private async *activeSessions(): AsyncIterable<Application> {
    for await (const page of this.activeSessionPages()) yield* page;
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
    // stored by the replica whose back-end saw it answer; else this replica's back-end may know it
    const stored = (await this.statesOf([app])).get(app.id)?.endpoint;
    const upstream = stored ?? (await this.publishEndpoint(app));
    if (!upstream)
      return { refused: 'not-running', message: `session ${app.id} has no Spark Connect endpoint on its back-end` };
    return { appId: app.id, upstream };
  }

  private view(app: Application, state?: SessionState): SessionView {
    const sessionId = sessionIdOf(app.id);
    const active = !isTerminal(app.state);
    const appPath = `/ocean/spark/cluster/${app.clusterId}/app/${app.id}`;
    return {
      application: app,
      sessionId,
      idleTimeoutMinutes: idleTimeoutMinutesOf(app),
      ...(active ? { lastActivityAt: new Date(this.lastActivity(app, state)).toISOString() } : {}),
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
