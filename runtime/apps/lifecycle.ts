/**
 * The application lifecycle: the hand-over to the back-end, its status reports, kills and
 * time-outs move applications through the state machine with compare-and-set writes, persisted
 * before anything is acknowledged; settle() brings an application in flight back in line with
 * its back-end (after a restart or a take-over).
 */
import { type Application, isQueued } from '../domain/application';
import { DEFAULT_TIMEOUT_MINUTES } from '../domain/config';
import { BackendUnreachableError } from '../domain/errors';
import type { ApplicationUpdate, BackendStatus, Clock, SparkBackend, Store, Telemetry } from '../domain/ports';
import { ACTIVE_STATES, canTransition, isTerminal } from '../domain/states';
import type { Logger } from '../domain/ports';
import type { BackendResolver, EndedHook } from './deps';

export interface LifecycleDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  resolveBackend: BackendResolver;
  onEnded?: EndedHook;
  /** This replica's id when several share the store: it times out only the applications it owns. @default all */
  ownerId?: string;
}

/** Backoff of a hand-over to a back-end out of reach: doubles from the base up to the ceiling. */
const DISPATCH_RETRY_BASE_MS = 2000;
const DISPATCH_RETRY_MAX_MS = 60_000;

/** Page size of the sweeps over active applications. */
const SWEEP_PAGE = 200;

export class ApplicationLifecycle {
  private readonly subscribed = new WeakSet<SparkBackend>();
  /** Per application, the tail of its chain of transitions: one writer at a time per app. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: LifecycleDeps) {}

  /** The back-end of a cluster, subscribed to its status reports on first use. */
  backendOf(clusterId: string): SparkBackend | undefined {
    const backend = this.deps.resolveBackend(clusterId);
    if (backend && !this.subscribed.has(backend)) {
      this.subscribed.add(backend);
      backend.onStatus((appId, status) => {
        void this.enqueue(appId, () => this.applyStatus(appId, status));
      });
    }
    return backend;
  }

  /** Resolves when every transition queued so far has been written (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  /** Runs `work` after the transitions already queued for this application. */
  enqueue<T>(appId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(appId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.chains.set(appId, tail);
    void tail.then(() => {
      if (this.chains.get(appId) === tail) this.chains.delete(appId);
    });
    return next;
  }

  /**
   * Moves the application to `status.state` if the state machine allows it, stepping through
   * RUNNING when a back-end reports an end the service never saw start. Returns the stored app.
   */
  async transition(
    appId: string,
    reported: BackendStatus,
    extra: Pick<ApplicationUpdate, 'failure'> = {},
  ): Promise<Application | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const app = await this.deps.store.getApplication(appId);
      if (!app) return undefined;
      if (app.state === reported.state || isTerminal(app.state)) return app;
      // the end a kill or time-out causes is that kill or time-out, whoever reports it
      const status = app.stopRequest && isTerminal(reported.state) ? { ...reported, ...app.stopRequest } : reported;
      const now = this.deps.clock.now().toISOString();
      const target = status.state;
      const viaRunning = canTransition(app.state, 'RUNNING') && canTransition('RUNNING', target);
      if (!canTransition(app.state, target) && !viaRunning) {
        this.deps.logger.warn(
          { appId, from: app.state, to: target },
          'ignored a state change the state machine forbids',
        );
        return app;
      }
      const ending = isTerminal(target);
      // an end without a start the back-end saw (a refused submission, a kill while pending) never started
      const startedAt = target === 'RUNNING' ? (app.startedAt ?? status.startedAt ?? now) : status.startedAt;
      const starts = !app.startedAt && startedAt !== undefined;
      const updated = await this.deps.store.updateApplication(
        appId,
        {
          state: target,
          ...(status.reason !== undefined ? { stateReason: status.reason } : {}),
          ...(starts ? { startedAt } : {}),
          ...(ending ? { endedAt: status.endedAt ?? now } : {}),
          ...extra,
        },
        [app.state],
      );
      if (!updated) continue; // someone else moved it: read again and decide again
      if (starts) {
        this.deps.telemetry.started(updated.clusterId);
        this.deps.logger.info({ appId, clusterId: updated.clusterId, from: app.state }, 'application started');
      }
      if (ending) {
        this.deps.telemetry.ended(updated.clusterId, target);
        this.deps.logger.info(
          { appId, clusterId: updated.clusterId, state: target, reason: updated.stateReason },
          'application ended',
        );
        await this.ended(updated);
      }
      return updated;
    }
    this.deps.logger.warn({ appId, to: reported.state }, 'gave up a state change after repeated concurrent updates');
    return this.deps.store.getApplication(appId);
  }

  /**
   * A back-end's report is the truth of what happened: one the store could not record (disk full,
   * database restarting) is recorded later, with backoff up to 15 s, until it lands.
   */
  private async applyStatus(appId: string, status: BackendStatus, attempt = 0): Promise<void> {
    try {
      await this.transition(appId, status);
    } catch (error) {
      const retryInMs = Math.min(15_000, 1000 * 2 ** attempt);
      this.deps.logger.warn(
        { appId, state: status.state, err: error, retryInMs },
        'could not record a state change the back-end reported: trying again',
      );
      const timer = setTimeout(() => {
        void this.enqueue(appId, () => this.applyStatus(appId, status, attempt + 1));
      }, retryInMs);
      timer.unref();
    }
  }

  private async ended(app: Application): Promise<void> {
    if (!this.deps.onEnded) return;
    try {
      await this.deps.onEnded(app);
    } catch (error) {
      this.deps.logger.error({ appId: app.id, err: error }, 'the onEnded hook failed');
    }
  }

  /**
   * Stops a running application and records `state` (KILLED or TIMED_OUT) with the reason.
   * The request is stored first, so that the end the kill causes reads as the kill on every replica
   * (another replica's watch may see the deleted resource first); a kill the back-end refuses
   * withdraws it, is reported, and records nothing else.
   */
  async stop(app: Application, state: 'KILLED' | 'TIMED_OUT', reason: string): Promise<Application | undefined> {
    return this.enqueue(app.id, async () => {
      const backend = this.backendOf(app.clusterId);
      const stopRequest = { state, reason };
      const requested = await this.deps.store.updateApplication(app.id, { stopRequest }, ACTIVE_STATES);
      if (!requested) return this.deps.store.getApplication(app.id); // it ended meanwhile
      try {
        await backend?.kill(app);
      } catch (error) {
        // never handed over, its back-end out of reach: nothing runs there (a replica handing it over
        // now stops what it started once it reads the stop)
        const neverHandedOver = requested.backendRef === undefined && error instanceof BackendUnreachableError;
        if (neverHandedOver) return this.transition(app.id, stopRequest);
        await this.deps.store.updateApplication(app.id, { stopRequest: null }, ACTIVE_STATES);
        throw error;
      }
      return this.transition(app.id, stopRequest);
    });
  }

  /** Every active application (`owned`: only this replica's), page by page. */
  async *active(owned = false): AsyncIterable<Application> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listApplications(
        { states: ACTIVE_STATES, ...(owned && this.deps.ownerId !== undefined ? { ownerId: this.deps.ownerId } : {}) },
        SWEEP_PAGE,
        cursor,
      );
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Times out every active application (this replica's, when several) past its `timeout`
   * (default 24 h, KILL). Returns those stopped.
   */
  async sweepTimeouts(): Promise<string[]> {
    const now = this.deps.clock.now().getTime();
    const expired: Application[] = [];
    for await (const app of this.active(true)) {
      const timeout = app.config.timeout ?? { minutes: DEFAULT_TIMEOUT_MINUTES, policy: 'KILL' };
      if (timeout === 'DISABLED') continue;
      if (now >= Date.parse(app.createdAt) + timeout.minutes * 60_000) expired.push(app);
    }
    const stopped: string[] = [];
    for (const app of expired) {
      const minutes =
        app.config.timeout === undefined
          ? DEFAULT_TIMEOUT_MINUTES
          : (app.config.timeout as { minutes: number }).minutes;
      try {
        const result = await this.stop(app, 'TIMED_OUT', `timed out after ${minutes} minutes (timeout policy KILL)`);
        if (result?.state === 'TIMED_OUT') stopped.push(app.id);
      } catch (error) {
        this.deps.logger.error({ appId: app.id, err: error }, 'could not stop a timed-out application');
      }
    }
    return stopped;
  }

  /**
   * Leaves a queued application to admission; hands over one admitted but never handed to its
   * back-end; moves any other to what the back-end reports.
   */
  async settle(app: Application, why: string): Promise<void> {
    const backend = this.backendOf(app.clusterId);
    if (!backend) {
      await this.transition(app.id, {
        state: 'FAILED',
        reason: `${why}: cluster ${app.clusterId} has no back-end any more`,
      });
    } else if (isQueued(app)) {
      return; // admission plans it (the reconcile asks for a pass once done)
    } else if ((app.state === 'NEW' || app.state === 'PENDING') && app.backendRef === undefined) {
      await this.dispatch(app);
    } else {
      await this.enqueue(app.id, () => this.reconcileOne(app, backend, why));
    }
  }

  private async reconcileOne(app: Application, backend: SparkBackend, why: string): Promise<void> {
    try {
      const status = await backend.status(app);
      if (status.state === app.state) return;
      const reported = status.reason ?? `the back-end reports ${status.state}`;
      await this.transition(app.id, { ...status, reason: `${why}: ${reported}` });
    } catch (error) {
      this.deps.telemetry.backendError(app.clusterId, 'status');
      await this.transition(app.id, {
        state: 'FAILED',
        reason: `${why}: the back-end could not report its state: ${(error as Error).message}`,
      });
    }
  }

  /**
   * Hands the committed application to its back-end; never throws. A refusal ends it FAILED; a
   * back-end out of reach leaves it PENDING with the reason and tries again with backoff, until it
   * answers, the application is stopped or its own timeout ends it (a restart's settle() resumes).
   */
  dispatch(app: Application, attempt = 0): Promise<void> {
    return this.enqueue(app.id, async () => {
      const backend = this.backendOf(app.clusterId);
      try {
        if (!backend) throw new Error(`cluster ${app.clusterId} has no back-end`);
        const { backendRef } = await backend.submit(app, app.config);
        const state = await this.deps.store.recordHandover(app.id, backendRef, attempt > 0);
        // stopped meanwhile by another replica, which found nothing to stop yet: stop what was just started
        if (state === 'KILLED' || state === 'TIMED_OUT') {
          const stopped = await this.deps.store.getApplication(app.id);
          if (stopped) await backend.kill(stopped);
        }
      } catch (error) {
        this.deps.telemetry.backendError(app.clusterId, 'submit');
        if (error instanceof BackendUnreachableError) return this.dispatchLater(app, error, attempt);
        this.deps.logger.warn({ appId: app.id, err: error }, 'the back-end refused a submission');
        const reason = `the back-end refused the submission: ${(error as Error).message}`;
        await this.transition(
          app.id,
          { state: 'FAILED', reason },
          { failure: { kind: 'submission', evidence: `state reason: ${reason}` } },
        );
      }
    });
  }

  /** Records why the hand-over waits, then tries it again if the application still waits for it. */
  private async dispatchLater(app: Application, error: Error, attempt: number): Promise<void> {
    const retryInMs = Math.min(DISPATCH_RETRY_MAX_MS, DISPATCH_RETRY_BASE_MS * 2 ** attempt);
    const pendingReason = `${error.message}; trying again in ${Math.round(retryInMs / 1000)} s`;
    this.deps.logger.warn({ appId: app.id, err: error, retryInMs }, 'the back-end is out of reach: hand-over deferred');
    try {
      const waiting = await this.deps.store.updateApplication(
        app.id,
        { ...(app.state === 'NEW' ? { state: 'PENDING' as const } : {}), pendingReason },
        ['NEW', 'PENDING'],
      );
      if (!waiting) return; // stopped or moved on meanwhile
    } catch (failure) {
      // the reason could not be recorded: the hand-over is still tried again
      this.deps.logger.warn({ appId: app.id, err: failure }, 'could not record why a hand-over waits');
    }
    const handOverAgain = (): void => {
      this.deps.store
        .getApplication(app.id)
        .then((current) => (current && isAwaitingHandover(current) ? this.dispatch(current, attempt + 1) : undefined))
        .catch((failure: unknown) => {
          // the store out of reach too: read it again later
          this.deps.logger.warn({ appId: app.id, err: failure }, 'could not read an application to hand it over');
          setTimeout(handOverAgain, retryInMs).unref();
        });
    };
    setTimeout(handOverAgain, retryInMs).unref();
  }
}

/** Admitted, not handed to its back-end yet, and not being stopped. */
function isAwaitingHandover(app: Application): boolean {
  return (
    (app.state === 'NEW' || app.state === 'PENDING') &&
    app.backendRef === undefined &&
    app.stopRequest === undefined &&
    !isQueued(app)
  );
}
