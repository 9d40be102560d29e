/**
 * Coordination of the runtime replicas: reconciliation at start-up, the time-out sweeper, and,
 * with more than one replica on one database (PostgreSQL; SQLite serves a single replica),
 * heartbeats, leases and the take-over of dead replicas' applications.
 * (PostgreSQL; SQLite serves a single replica).
 *
 * Ownership lives in the store, so it works with every back-end: each application row names the
 * replica that acts on it (submits it, times it out), set when that replica commits it. A replica
 * is alive while its heartbeat, written every `heartbeatIntervalMs`, is younger than
 * `leaseSeconds`. Every tick a replica also claims the active applications that have no owner
 * or whose owner went silent, one atomic UPDATE per batch (FOR UPDATE SKIP LOCKED on PostgreSQL,
 * so two replicas never claim the same one), and settles each like the start-up reconcile: NEW
 * and never handed over is submitted (back-ends are idempotent by application id, so a
 * submission the dead replica had half done is not doubled), the others are asked their state.
 * A killed replica's applications are thus taken over within leaseSeconds + one interval.
 *
 * What stays shared: status reports from the back-end are applied by whichever replica sees them
 * first, as compare-and-set writes, so a change is applied once; a kill is served by the replica
 * the request reaches. A clean shutdown releases the replica's applications at once.
 *
 * Clocks: heartbeats are compared with the claiming replica's clock, so replicas' clocks must
 * agree to well within leaseSeconds (NTP). A replica stalled for longer than its lease may act
 * once more on an application another replica took over; back-ends' idempotent submission keeps
 * that from running it twice.
 */
import type { Application } from '../domain/application';
import type { Logger, Store } from '../domain/ports';
import type { AdmissionController } from './admission';
import type { ApplicationLifecycle } from './lifecycle';

export interface ReplicaOptions {
  /** Unique among the replicas sharing the database, stable for the life of the process. */
  id: string;
  /** A replica whose heartbeat is older than this is presumed dead and its applications are taken over. @default 30 */
  leaseSeconds?: number;
  /** How often the replica heartbeats and looks for applications to take over, ms. @default 5000 */
  heartbeatIntervalMs?: number;
  /** Most applications taken over by one claim. @default 100 */
  claimBatch?: number;
}

const DEFAULT_LEASE_SECONDS = 30;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
const DEFAULT_CLAIM_BATCH = 100;

export interface ReplicaCoordinatorDeps {
  store: Store;
  lifecycle: ApplicationLifecycle;
  logger: Logger;
  /** How often start() checks time-outs, ms. @default 15000 */
  timeoutSweepIntervalMs?: number;
  /** Plans the queue after a reconcile or a take-over, and runs with the sweeper. @default none */
  admission?: AdmissionController;
}

export class ReplicaCoordinator {
  private timer: ReturnType<typeof setInterval> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** The first heartbeat: a replica is registered before it owns anything. */
  private registration: Promise<void> | undefined;
  /** The take-over in progress, so ticks never run two at once. */
  private adopting: Promise<number> | undefined;

  /** `options`: this replica, when several share the store; absent, the only one, acting on all. */
  constructor(
    private readonly deps: ReplicaCoordinatorDeps,
    private readonly options?: ReplicaOptions,
  ) {}

  /** The replica that owns what this runtime commits; undefined when it is the only one. */
  get ownerId(): string | undefined {
    return this.options?.id;
  }

  /**
   * At start-up: every active application is settled with its back-end. Those never handed over
   * are submitted again (back-ends are idempotent by id); the others move to what the back-end
   * reports, the reason recorded. A replica settles only what it takes over: the applications of
   * an earlier life under its id, those without an owner and those of dead replicas.
   * Returns the number of applications looked at.
   */
  async reconcile(): Promise<number> {
    const why = 'reconciled at start-up';
    if (this.options) {
      await this.deps.store.releaseApplications(this.options.id);
      await this.deps.store.heartbeat(this.options.id);
      const count = await this.adopt(why);
      await this.deps.lifecycle.idle();
      await this.admitQueued();
      return count;
    }
    const apps: Application[] = [];
    for await (const app of this.deps.lifecycle.active()) apps.push(app);
    for (const app of apps) await this.deps.lifecycle.settle(app, why);
    await this.deps.lifecycle.idle();
    await this.admitQueued();
    return apps.length;
  }

  /**
   * A replica's tick: heartbeat, then take over the applications of replicas that died (and
   * those without an owner). Returns the number taken over; the tests drive it directly.
   */
  async adoptOrphans(): Promise<number> {
    const replica = this.options;
    if (!replica) return 0;
    await this.deps.store.heartbeat(replica.id);
    this.adopting ??= this.adopt(`taken over by replica ${replica.id}`)
      .then(async (count) => {
        if (count > 0) await this.admitQueued();
        return count;
      })
      .finally(() => (this.adopting = undefined));
    return this.adopting;
  }

  /** One admission pass, and the hand-overs it started. */
  private async admitQueued(): Promise<void> {
    if (!this.deps.admission) return;
    await this.deps.admission.request();
    await this.deps.lifecycle.idle();
  }

  /** Starts the time-out sweeper and a replica's heartbeat (unref'd: they never keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.deps.lifecycle
        .sweepTimeouts()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'time-out sweep failed'));
    }, this.deps.timeoutSweepIntervalMs ?? 15_000);
    this.timer.unref();
    this.deps.admission?.start();
    if (!this.options) return;
    this.heartbeatTimer = setInterval(() => {
      // the heartbeat is not held up by a long take-over: adoptOrphans writes it first
      this.adoptOrphans().catch((error: unknown) => this.deps.logger.error({ err: error }, 'replica heartbeat failed'));
    }, this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref();
  }

  /** Stops the timers and waits for queued transitions; a replica then releases its applications to the others. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.timer = undefined;
    this.heartbeatTimer = undefined;
    await this.adopting?.catch(() => undefined);
    await this.deps.admission?.stop();
    await this.deps.lifecycle.idle();
    if (this.options) await this.deps.store.releaseApplications(this.options.id);
  }

  /** Checks time-outs now (the sweeper's work; tests drive it with a fake clock). */
  sweepTimeouts(): Promise<string[]> {
    return this.deps.lifecycle.sweepTimeouts();
  }

  /** Registers this replica (its first heartbeat) once; a failed attempt is tried again next time. */
  register(): Promise<void> {
    const replica = this.options;
    if (!replica) return Promise.resolve();
    this.registration ??= this.deps.store.heartbeat(replica.id).catch((error: unknown) => {
      this.registration = undefined;
      throw error;
    });
    return this.registration;
  }

  /** Claims batch after batch of applications to take over and settles each batch. */
  private async adopt(why: string): Promise<number> {
    const replica = this.options!;
    await this.register();
    const limit = replica.claimBatch ?? DEFAULT_CLAIM_BATCH;
    let total = 0;
    for (;;) {
      const claimed = await this.deps.store.claimApplications(replica.id, {
        leaseSeconds: replica.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        limit,
      });
      if (claimed.length > 0) this.deps.logger.info({ replica: replica.id, count: claimed.length }, why);
      await Promise.all(claimed.map((app) => this.deps.lifecycle.settle(app, why)));
      total += claimed.length;
      if (claimed.length < limit) return total;
    }
  }
}
