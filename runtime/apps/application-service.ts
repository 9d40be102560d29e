/**
 * Application use cases: submit (idempotent, committed before the back-end is called), get,
 * list, kill, driver log, and the lifecycle around them (status reports, time-outs, reconcile).
 */
import type { Application, SubmissionSource } from '../domain/application';
import { ApplicationConfig, DEFAULT_TIMEOUT_MINUTES } from '../domain/config';
import { DomainError, notFound } from '../domain/errors';
import { mergeConfig } from '../domain/merge';
import type {
  ApplicationFilter,
  Clock,
  Page,
  SparkBackend,
  Store,
  StoredCluster,
  StoredJob,
  StoredTemplate,
} from '../domain/ports';
import { JobSpec, SubmitRequest } from '../domain/resources';
import { isTerminal } from '../domain/states';
import { parseOrThrow } from '../domain/validation';
import {
  type BackendResolver,
  type EndedHook,
  type Logger,
  silentLogger,
  toResolver,
  type TuningProvider,
} from './deps';
import { ExpiringCache } from './expiring-cache';
import { appIdFor, type IdGenerator, randomIds } from './ids';
import { ApplicationLifecycle } from './lifecycle';
import { authorize, type Principal } from './principal';
import {
  DEFAULT_CLAIM_BATCH,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_LEASE_SECONDS,
  type ReplicaOptions,
} from './replica';

export interface ApplicationServiceDeps {
  store: Store;
  /** The back-end of each cluster, by cluster id (a Map, or a function for back-ends made on demand). */
  backends: Map<string, SparkBackend> | BackendResolver;
  clock: Clock;
  /** @default random, time-sortable ids */
  ids?: IdGenerator;
  /** @default silent */
  logger?: Logger;
  /** The tuning layer of the config merge. @default none */
  tuning?: TuningProvider;
  /** Called after an application's terminal state is persisted. @default none */
  onEnded?: EndedHook;
  /** How often start() checks time-outs, ms. @default 15000 */
  timeoutSweepIntervalMs?: number;
  /**
   * How long a cluster read from the store is trusted by submissions. A cluster runs on the
   * back-ends this process was configured with, so a change seen late changes little. @default 2000
   */
  clusterCacheMs?: number;
  /**
   * One of several replicas sharing the store: it acts only on the applications it owns and takes
   * over those of replicas that died (see replica.ts). @default absent: the only replica, acting on all
   */
  replica?: ReplicaOptions;
}

export interface SubmitContext {
  source: SubmissionSource;
  /** Recorded as the application's userId (the token's name). */
  userId?: string;
  /** Same key on the same cluster: the existing application is returned, never a second run. */
  idempotencyKey?: string;
  /** Checked against scope and limits; absent for internal callers (schedules). */
  actor?: Principal;
}

export interface ListQuery extends ApplicationFilter {
  /** @default 50 */
  limit?: number;
  cursor?: string;
}

export class ApplicationService {
  readonly lifecycle: ApplicationLifecycle;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  /** Clusters read on every submission. */
  private readonly clusters: ExpiringCache<string, StoredCluster>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** The first heartbeat: a replica is registered before it owns anything. */
  private registration: Promise<void> | undefined;
  /** The take-over in progress, so ticks never run two at once. */
  private adopting: Promise<number> | undefined;

  constructor(private readonly deps: ApplicationServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.ids = deps.ids ?? randomIds;
    this.logger = deps.logger ?? silentLogger;
    this.clusters = new ExpiringCache(deps.clock, deps.clusterCacheMs ?? 2000);
    this.lifecycle = new ApplicationLifecycle({
      store: deps.store,
      clock: deps.clock,
      logger: this.logger,
      resolveBackend: toResolver(deps.backends),
      onEnded: deps.onEnded,
      ...(deps.replica ? { ownerId: deps.replica.id } : {}),
    });
    if (deps.backends instanceof Map) for (const clusterId of deps.backends.keys()) this.lifecycle.backendOf(clusterId);
  }

  /**
   * Validates, computes the effective config and commits the application in state NEW, then hands
   * it to the back-end in the background (a refusal ends it FAILED with the reason).
   * `created` is false when the appId or idempotency key named an existing application.
   */
  async submit(
    clusterId: string,
    body: unknown,
    context: SubmitContext,
  ): Promise<{ app: Application; created: boolean }> {
    const request = parseOrThrow(SubmitRequest, body);
    const cluster = await this.cluster(clusterId);

    authorize(context.actor, 'applications:create', { clusterId, jobId: request.jobId });
    if (request.appId !== undefined) {
      const existing = await this.store.getApplication(request.appId);
      if (existing) return { app: this.sameCluster(existing, clusterId), created: false };
    }

    const knownJob = await this.store.getJob(request.jobId);
    const templateId = request.configTemplateId ?? knownJob?.configTemplateId;
    authorize(context.actor, 'applications:create', { templateId });
    const job = await this.jobFor(knownJob, request.jobId, clusterId);
    let template: StoredTemplate | undefined;
    if (templateId !== undefined) {
      template = await this.store.getTemplate(clusterId, templateId);
      if (!template) throw notFound('config template', templateId);
    }

    const overrides = request.configOverrides ?? {};
    const tuning = await this.deps.tuning?.({ cluster, job, template, overrides });
    const merged = mergeConfig<ApplicationConfig>({ template: template?.config, tuning, job: job.config, overrides });
    const config = parseOrThrow(ApplicationConfig, merged.config, ['config']);
    config.timeout ??= { minutes: DEFAULT_TIMEOUT_MINUTES, policy: 'KILL' };

    const now = this.clock.now();
    const app: Application = {
      id: request.appId ?? appIdFor(request.jobId, this.ids.appSuffix(now)),
      clusterId,
      jobId: request.jobId,
      state: 'NEW',
      submissionSource: context.source,
      ...(context.userId !== undefined ? { userId: context.userId } : {}),
      ...(context.idempotencyKey !== undefined ? { idempotencyKey: context.idempotencyKey } : {}),
      ...(templateId !== undefined ? { configTemplateId: templateId } : {}),
      configOverrides: overrides,
      config,
      provenance: merged.provenance,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const replica = this.deps.replica;
    if (replica) await this.register();
    const stored = await this.store.insertApplication(app, replica ? { ownerId: replica.id } : undefined);
    if (!stored.created) return { app: this.sameCluster(stored.app, clusterId), created: false };
    void this.dispatch(stored.app);
    return stored;
  }

  async get(id: string, actor?: Principal): Promise<Application> {
    const app = await this.store.getApplication(id);
    if (!app) throw notFound('application', id);
    authorize(actor, 'applications:read', { clusterId: app.clusterId, jobId: app.jobId });
    return app;
  }

  /** Like get, and the application must belong to `clusterId` (the Ocean API's paths name both). */
  async getInCluster(clusterId: string, id: string, actor?: Principal): Promise<Application> {
    const app = await this.get(id, actor);
    if (app.clusterId !== clusterId) throw notFound('application', id);
    return app;
  }

  /** Newest first. A token limited to clusters or jobs must ask within them. */
  async list(query: ListQuery, actor?: Principal): Promise<Page<Application>> {
    const { limit = 50, cursor, ...filter } = query;
    if (actor?.clusterIds?.length === 1 && filter.clusterId === undefined) filter.clusterId = actor.clusterIds[0];
    if (actor?.jobIds?.length === 1 && filter.jobId === undefined) filter.jobId = actor.jobIds[0];
    authorize(actor, 'applications:read', {
      ...(actor?.clusterIds ? { clusterId: filter.clusterId } : {}),
      ...(actor?.jobIds ? { jobId: filter.jobId } : {}),
    });
    return this.store.listApplications(filter, limit, cursor);
  }

  /**
   * Kills an application. Killing one that has already ended changes nothing and returns it, as
   * the hosted product did: clients (the Airflow operator's on_kill) DELETE and ignore the answer.
   */
  async kill(id: string, actor?: Principal, clusterId?: string): Promise<Application> {
    const app = clusterId === undefined ? await this.get(id) : await this.getInCluster(clusterId, id);
    authorize(actor, 'applications:kill', { clusterId: app.clusterId, jobId: app.jobId });
    if (isTerminal(app.state)) return app;
    const reason = `killed by ${actor?.name ?? 'the runtime'}`;
    try {
      return (await this.lifecycle.stop(app, 'KILLED', reason)) ?? app;
    } catch (error) {
      throw new DomainError(
        'BACKEND_UNAVAILABLE',
        `the back-end of cluster ${app.clusterId} could not kill ${app.id}: ${(error as Error).message}`,
      );
    }
  }

  /** The driver log so far, or (follow) until the application ends or the signal aborts. */
  async driverLog(
    id: string,
    options: { follow: boolean; signal?: AbortSignal },
    actor?: Principal,
  ): Promise<AsyncIterable<string>> {
    const app = await this.get(id, actor);
    const backend = this.lifecycle.backendOf(app.clusterId);
    if (!backend) throw new DomainError('BACKEND_UNAVAILABLE', `cluster ${app.clusterId} has no back-end`);
    return backend.driverLog(app, options);
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
    if (this.deps.replica) {
      await this.store.releaseApplications(this.deps.replica.id);
      await this.store.heartbeat(this.deps.replica.id);
      const count = await this.adopt(why);
      await this.lifecycle.idle();
      return count;
    }
    const apps: Application[] = [];
    for await (const app of this.lifecycle.active()) apps.push(app);
    for (const app of apps) await this.settle(app, why);
    await this.lifecycle.idle();
    return apps.length;
  }

  /**
   * A replica's tick: heartbeat, then take over the applications of replicas that died (and
   * those without an owner). Returns the number taken over; the tests drive it directly.
   */
  async adoptOrphans(): Promise<number> {
    const replica = this.deps.replica;
    if (!replica) return 0;
    await this.store.heartbeat(replica.id);
    this.adopting ??= this.adopt(`taken over by replica ${replica.id}`).finally(() => (this.adopting = undefined));
    return this.adopting;
  }

  /** Starts the time-out sweeper and a replica's heartbeat (unref'd: they never keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.lifecycle
        .sweepTimeouts()
        .catch((error: unknown) => this.logger.error({ err: error }, 'time-out sweep failed'));
    }, this.deps.timeoutSweepIntervalMs ?? 15_000);
    this.timer.unref();
    if (!this.deps.replica) return;
    this.heartbeatTimer = setInterval(() => {
      // the heartbeat is not held up by a long take-over: adoptOrphans writes it first
      this.adoptOrphans().catch((error: unknown) => this.logger.error({ err: error }, 'replica heartbeat failed'));
    }, this.deps.replica.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref();
  }

  /** Stops the timers and waits for queued transitions; a replica then releases its applications to the others. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.timer = undefined;
    this.heartbeatTimer = undefined;
    await this.adopting?.catch(() => undefined);
    await this.lifecycle.idle();
    if (this.deps.replica) await this.store.releaseApplications(this.deps.replica.id);
  }

  /** Checks time-outs now (the sweeper's work; tests drive it with a fake clock). */
  sweepTimeouts(): Promise<string[]> {
    return this.lifecycle.sweepTimeouts();
  }

  /** Resolves once every queued transition and background submission is written. */
  idle(): Promise<void> {
    return this.lifecycle.idle();
  }

  /** Registers this replica (its first heartbeat) once; a failed attempt is tried again next time. */
  private register(): Promise<void> {
    const replica = this.deps.replica;
    if (!replica) return Promise.resolve();
    this.registration ??= this.store.heartbeat(replica.id).catch((error: unknown) => {
      this.registration = undefined;
      throw error;
    });
    return this.registration;
  }

  /** Claims batch after batch of applications to take over and settles each batch. */
  private async adopt(why: string): Promise<number> {
    const replica = this.deps.replica!;
    await this.register();
    const limit = replica.claimBatch ?? DEFAULT_CLAIM_BATCH;
    let total = 0;
    for (;;) {
      const claimed = await this.store.claimApplications(replica.id, {
        leaseSeconds: replica.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        limit,
      });
      if (claimed.length > 0) this.logger.info({ replica: replica.id, count: claimed.length }, why);
      await Promise.all(claimed.map((app) => this.settle(app, why)));
      total += claimed.length;
      if (claimed.length < limit) return total;
    }
  }

  /** Hands a NEW application never handed over to its back-end; moves any other to what the back-end reports. */
  private async settle(app: Application, why: string): Promise<void> {
    const backend = this.lifecycle.backendOf(app.clusterId);
    if (!backend) {
      await this.lifecycle.transition(app.id, {
        state: 'FAILED',
        reason: `${why}: cluster ${app.clusterId} has no back-end any more`,
      });
    } else if (app.state === 'NEW' && app.backendRef === undefined) {
      await this.dispatch(app);
    } else {
      await this.lifecycle.enqueue(app.id, () => this.reconcileOne(app, backend, why));
    }
  }

  private async reconcileOne(app: Application, backend: SparkBackend, why: string): Promise<void> {
    try {
      const status = await backend.status(app);
      if (status.state === app.state) return;
      const reported = status.reason ?? `the back-end reports ${status.state}`;
      await this.lifecycle.transition(app.id, { ...status, reason: `${why}: ${reported}` });
    } catch (error) {
      await this.lifecycle.transition(app.id, {
        state: 'FAILED',
        reason: `${why}: the back-end could not report its state: ${(error as Error).message}`,
      });
    }
  }

  /** Hands the committed application to its back-end; never throws (a refusal ends it FAILED). */
  private dispatch(app: Application): Promise<void> {
    return this.lifecycle.enqueue(app.id, async () => {
      const backend = this.lifecycle.backendOf(app.clusterId);
      try {
        if (!backend) throw new Error(`cluster ${app.clusterId} has no back-end`);
        const { backendRef } = await backend.submit(app, app.config);
        const updated = await this.store.updateApplication(app.id, { backendRef });
        // stopped meanwhile by another replica, which found nothing to stop yet: stop what was just started
        if (updated?.state === 'KILLED' || updated?.state === 'TIMED_OUT') await backend.kill(updated);
      } catch (error) {
        this.logger.warn({ appId: app.id, err: error }, 'the back-end refused a submission');
        await this.lifecycle.transition(app.id, {
          state: 'FAILED',
          reason: `the back-end refused the submission: ${(error as Error).message}`,
        });
      }
    });
  }

  private async cluster(id: string): Promise<StoredCluster> {
    let cluster = this.clusters.get(id);
    if (!cluster) {
      cluster = await this.store.getCluster(id);
      if (!cluster) throw notFound('cluster', id);
      this.clusters.set(id, cluster);
    }
    return cluster;
  }

  private sameCluster(app: Application, clusterId: string): Application {
    if (app.clusterId !== clusterId) {
      throw new DomainError(
        'CONFLICT',
        `application ${app.id} already exists on cluster ${app.clusterId}; it cannot be submitted to cluster ${clusterId}`,
      );
    }
    return app;
  }

  /** The job, created on first use; a job belongs to one cluster. */
  private async jobFor(known: StoredJob | undefined, jobId: string, clusterId: string): Promise<StoredJob> {
    const job = known ?? (await this.store.ensureJob(parseOrThrow(JobSpec, { id: jobId, clusterId })));
    if (job.clusterId !== clusterId) {
      throw new DomainError(
        'CONFLICT',
        `job ${jobId} belongs to cluster ${job.clusterId}; it cannot run on cluster ${clusterId}`,
      );
    }
    return job;
  }
}
