/**
 * Application use cases: submit (idempotent, committed before the back-end is called), get,
 * list, kill, driver log and events. The lifecycle (lifecycle.ts) moves applications through
 * their states; the replica coordination (replica.ts) reconciles, sweeps time-outs and takes over.
 */
import type { Application, SubmissionSource } from '../domain/application';
import { ApplicationConfig, DEFAULT_TIMEOUT_MINUTES } from '../domain/config';
import { DomainError, type FieldIssue, notFound } from '../domain/errors';
import type { KubeEvents } from '../domain/kube-events';
import { mergeConfig, type Provenance } from '../domain/merge';
import type {
  ApplicationFilter,
  ApplicationSort,
  Clock,
  Page,
  SparkBackend,
  Store,
  StoredCluster,
  StoredJob,
  StoredTemplate,
  Logger,
  SparkUiTarget,
  Telemetry,
} from '../domain/ports';
import { noTelemetry, silentLogger } from '../domain/ports';
import type { Scope } from '../domain/tokens';
import { JobSpec, SubmitRequest } from '../domain/resources';
import { isTerminal, TERMINAL_STATES } from '../domain/states';
import { ConfigValue } from '../domain/tuning-change';
import { pinPointer } from '../domain/tuning-pins';
import { parseOrThrow } from '../domain/validation';
import { demandOf } from '../scheduling/demand';
import { unfitFields } from '../scheduling/fits';
import { type BackendResolver, type EndedHook, toResolver, type TuningProvider } from './deps';
import { ExpiringCache } from './expiring-cache';
import { appIdFor, type IdGenerator, randomIds } from './ids';
import { AdmissionController, type AdmissionOptions } from './admission';
import { ApplicationLifecycle } from './lifecycle';
import { carryMemory, recoversMemory } from './oom-recovery';
import { type EventLogLines, recoveryContext, RetryController } from './retries';
import { authorize, authorizeFound, maySee, type Principal, type Target } from './principal';
import { ReplicaCoordinator, type ReplicaOptions } from './replica';
import { notRunningError, withSparkUiLinks } from './spark-ui';

export interface ApplicationServiceDeps {
  store: Store;
  /** The back-end of each cluster, by cluster id (a Map, or a function for back-ends made on demand). */
  backends: Map<string, SparkBackend> | BackendResolver;
  clock: Clock;
  /** @default random, time-sortable ids */
  ids?: IdGenerator;
  /** @default silent */
  logger?: Logger;
  /** @default none */
  telemetry?: Telemetry;
  /** The tuning layer of the config merge. @default none */
  tuning?: TuningProvider;
  /** Called after an application's terminal state is persisted. @default none */
  onEnded?: EndedHook;
  /** How often the time-out sweeper runs, ms. @default 15000 */
  timeoutSweepIntervalMs?: number;
  /**
   * How long a cluster read from the store is trusted by submissions. The back-end itself is
   * looked up at each hand-over, so a cluster changed or deleted meanwhile is seen at once there;
   * only the existence check and the tuner's view of the cluster may lag by this much. @default 2000
   */
  clusterCacheMs?: number;
  /**
   * One of several replicas sharing the store: it acts only on the applications it owns and takes
   * over those of replicas that died (see replica.ts). @default absent: the only replica, acting on all
   */
  replica?: ReplicaOptions;
  /**
   * The Spark History Server of the runs of clusters whose back-end names none: ended applications
   * link their run there. @default none
   */
  historyServerUrl?: string;
  /** How often admission plans the queue unasked, and its priority ageing. @default every 2 s, ageing 600 s */
  admission?: AdmissionOptions;
  /** Reads an ended application's event log as lines, for why it failed. @default not read */
  eventLogLines?: EventLogLines;
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

/** What starts an interactive application: as a submission, without a job. */
export interface InteractiveRequest {
  type: 'session' | 'notebook';
  appId?: string;
  configTemplateId?: string;
  configOverrides?: ApplicationConfig;
}

/** Admission sees an interactive application as a job of its own, with concurrency Allow. */
const INTERACTIVE_GROUP: Pick<StoredJob, 'concurrencyPolicy'> = { concurrencyPolicy: 'Allow' };

export interface ListQuery extends ApplicationFilter {
  /** @default 50 */
  limit?: number;
  cursor?: string;
  /** @default createdAt descending */
  sort?: ApplicationSort;
}

export class ApplicationService {
  readonly lifecycle: ApplicationLifecycle;
  /** Reconciliation, time-outs, heartbeats and take-over (see replica.ts). */
  readonly replicas: ReplicaCoordinator;
  /** Which queued applications start when (see admission.ts). */
  readonly admission: AdmissionController;
  /** Failure classification and the next attempts of failed applications (see retries.ts). */
  readonly retries: RetryController;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  private readonly telemetry: Telemetry;
  /** Clusters read on every submission. */
  private readonly clusters: ExpiringCache<string, StoredCluster>;

  constructor(private readonly deps: ApplicationServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.ids = deps.ids ?? randomIds;
    this.logger = deps.logger ?? silentLogger;
    this.telemetry = deps.telemetry ?? noTelemetry;
    this.clusters = new ExpiringCache(deps.clock, deps.clusterCacheMs ?? 2000);
    this.lifecycle = new ApplicationLifecycle({
      store: deps.store,
      clock: deps.clock,
      logger: this.logger,
      telemetry: this.telemetry,
      resolveBackend: toResolver(deps.backends),
      // what ends frees room: plan the queue again
      onEnded: async (app) => {
        try {
          await this.retries.ended(app);
        } catch (error) {
          this.logger.error({ appId: app.id, err: error }, 'could not classify or retry a failed application');
        }
        void this.admission.request();
        await deps.onEnded?.(app);
      },
      ...(deps.replica ? { ownerId: deps.replica.id } : {}),
    });
    this.admission = new AdmissionController(
      {
        store: deps.store,
        lifecycle: this.lifecycle,
        clock: deps.clock,
        logger: this.logger,
        ...(deps.replica ? { ownerId: deps.replica.id } : {}),
      },
      deps.admission,
    );
    this.retries = new RetryController({
      store: deps.store,
      lifecycle: this.lifecycle,
      clock: deps.clock,
      logger: this.logger,
      ...(deps.eventLogLines ? { eventLogLines: deps.eventLogLines } : {}),
      ...(deps.replica ? { ownerId: deps.replica.id } : {}),
    });
    this.replicas = new ReplicaCoordinator(
      {
        store: deps.store,
        lifecycle: this.lifecycle,
        logger: this.logger,
        admission: this.admission,
        ...(deps.timeoutSweepIntervalMs !== undefined ? { timeoutSweepIntervalMs: deps.timeoutSweepIntervalMs } : {}),
      },
      deps.replica,
    );
    if (deps.backends instanceof Map) for (const clusterId of deps.backends.keys()) this.lifecycle.backendOf(clusterId);
  }

  /**
   * Validates, computes the effective config and commits the application in state NEW, then hands
   * it to the back-end in the background once admission lets it through: at once on a cluster
   * without limits, else when its plan admits it (a refusal ends it FAILED with the reason).
   * `created` is false when the appId or idempotency key named an existing application.
   */
  async submit(
    clusterId: string,
    body: unknown,
    context: SubmitContext,
  ): Promise<{ app: Application; created: boolean }> {
    const received = performance.now();
    const request = parseOrThrow(SubmitRequest, body);
    const cluster = await this.cluster(clusterId);

    authorize(context.actor, 'applications:create', { clusterId, jobId: request.jobId });
    if (request.appId !== undefined) {
      const existing = await this.store.getApplication(request.appId);
      if (existing) return { app: this.resubmitted(existing, clusterId, request.jobId, context.actor), created: false };
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
    const merged = mergeConfig<ApplicationConfig>(
      { template: template?.config, tuning: tuning?.tuning, job: job.config, overrides },
      job.tuning.pin ? { jobPins: job.tuning.pin.map(pinPointer) } : {},
    );
    // the tuner's changes this config kept (a pinned job value or an override above it wins), with their starting values
    const tuningChanges = (tuning?.changes ?? [])
      .filter((c) => merged.provenance[c.pointer] === 'tuning')
      .map((c) => {
        const start = ConfigValue.safeParse(merged.tunedFrom[c.pointer]);
        return start.success ? { ...c, start: start.data } : c;
      });
    const parsed = parseOrThrow(ApplicationConfig, merged.config, ['config']);
    parsed.timeout ??= { minutes: DEFAULT_TIMEOUT_MINUTES, policy: 'KILL' };
    // out-of-memory recovery carries the memory the job's last run needed (or died without) to this one
    const carried = recoversMemory(parsed)
      ? carryMemory(
          await this.latestEnded(request.jobId),
          parsed,
          merged.provenance,
          recoveryContext(clusterId, this.lifecycle.backendOf(clusterId)),
        )
      : undefined;
    const config = carried?.config ?? parsed;
    const provenance = carried?.provenance ?? merged.provenance;

    const now = this.clock.now();
    const app: Application = {
      id: request.appId ?? appIdFor(request.jobId, this.ids.appSuffix(now)),
      ...(carried ? { memoryRecovery: carried.memoryRecovery } : {}),
      clusterId,
      jobId: request.jobId,
      state: 'NEW',
      submissionSource: context.source,
      type: 'batch',
      ...(tuningChanges.length > 0 ? { tuningChanges } : {}),
      // the prediction is for the config the tuner chose: only when all its changes were kept
      ...(tuning?.prediction && tuningChanges.length === (tuning.changes ?? []).length
        ? { prediction: tuning.prediction }
        : {}),
      ...(context.userId !== undefined ? { userId: context.userId } : {}),
      ...(context.idempotencyKey !== undefined ? { idempotencyKey: context.idempotencyKey } : {}),
      ...(templateId !== undefined ? { configTemplateId: templateId } : {}),
      configOverrides: overrides,
      config,
      provenance,
      // nothing to wait for on a cluster without limits: admitted as it is committed
      ...(this.admission.unlimited(cluster, job) ? { admittedAt: now.toISOString() } : {}),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const stored = await this.commit(app, provenance);
    if (!stored.created) {
      return { app: this.resubmitted(stored.app, clusterId, request.jobId, context.actor), created: false };
    }
    this.telemetry.submissionSeconds((performance.now() - received) / 1000);
    return stored;
  }

  /**
   * Starts an interactive application (a session, a notebook): as a submission, with a config
   * template and overrides but no job (so no job config and no tuning), through the same admission
   * and states. An appId that names an existing application is refused (409).
   */
  async startInteractive(clusterId: string, request: InteractiveRequest, context: SubmitContext): Promise<Application> {
    const cluster = await this.cluster(clusterId);
    const templateId = request.configTemplateId;
    authorize(context.actor, 'applications:create', { clusterId, templateId });
    let template: StoredTemplate | undefined;
    if (templateId !== undefined) {
      template = await this.store.getTemplate(clusterId, templateId);
      if (!template) throw notFound('config template', templateId);
    }
    const overrides = request.configOverrides ?? {};
    const merged = mergeConfig<ApplicationConfig>({ template: template?.config, overrides });
    const config = parseOrThrow(ApplicationConfig, merged.config, ['config']);
    config.timeout ??= { minutes: DEFAULT_TIMEOUT_MINUTES, policy: 'KILL' };
    const now = this.clock.now();
    const app: Application = {
      id: request.appId ?? `${request.type}-${this.ids.appSuffix(now)}`,
      clusterId,
      state: 'NEW',
      submissionSource: context.source,
      type: request.type,
      ...(context.userId !== undefined ? { userId: context.userId } : {}),
      ...(templateId !== undefined ? { configTemplateId: templateId } : {}),
      configOverrides: overrides,
      config,
      provenance: merged.provenance,
      ...(this.admission.unlimited(cluster, INTERACTIVE_GROUP) ? { admittedAt: now.toISOString() } : {}),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const stored = await this.commit(app, merged.provenance);
    if (!stored.created) {
      throw new DomainError('CONFLICT', `application ${app.id} already exists: choose another appId`);
    }
    return stored.app;
  }

  /** The job's latest ended run, whose memory out-of-memory recovery carries on. */
  private async latestEnded(jobId: string): Promise<Application | undefined> {
    const page = await this.store.listApplications({ jobId, states: [...TERMINAL_STATES] }, 1);
    return page.items[0];
  }

  /** Refuses what the cluster cannot run, commits the new application, then hands it over or queues it. */
  private async commit(app: Application, provenance: Provenance): Promise<{ app: Application; created: boolean }> {
    const { clusterId } = app;
    const backend = this.lifecycle.backendOf(clusterId);
    refuseWhatNeverFits(clusterId, backend, app.config, provenance);
    await refuseWhatTheBackendWould(backend, app, provenance);
    // refused now rather than acknowledged and then failed: the client may retry elsewhere or later
    const refusal = await backend?.refusal?.();
    if (refusal !== undefined) {
      throw new DomainError('BACKEND_UNAVAILABLE', `cluster ${clusterId} cannot start applications now: ${refusal}`);
    }
    const ownerId = this.replicas.ownerId;
    if (ownerId !== undefined) await this.replicas.register();
    const stored = await this.store.insertApplication(app, ownerId !== undefined ? { ownerId } : undefined);
    if (!stored.created) return stored;
    this.telemetry.submitted(clusterId);
    this.logger.info(
      { appId: app.id, jobId: app.jobId, type: app.type, clusterId, source: app.submissionSource, user: app.userId },
      'application submitted',
    );
    if (stored.app.admittedAt !== undefined) void this.lifecycle.dispatch(stored.app);
    else void this.admission.request();
    return stored;
  }

  /** The application; one outside the caller's limits reads as not found. */
  async get(id: string, actor?: Principal): Promise<Application> {
    return this.view(await this.find(id, 'applications:read', actor));
  }

  /** Like get, and the application must belong to `clusterId` (the Ocean API's paths name both). */
  async getInCluster(clusterId: string, id: string, actor?: Principal): Promise<Application> {
    return this.view(await this.find(id, 'applications:read', actor, clusterId));
  }

  /**
   * Where the live Spark UI of a running application answers, for a caller who may read it (else
   * not found, as for an unknown id). Not running: 409 while it waits (and why), 404 once it ended
   * (with the run's History Server link when there is one).
   */
  async sparkUiTarget(id: string, actor?: Principal, clusterId?: string): Promise<SparkUiTarget> {
    const app = await this.find(id, 'applications:read', actor, clusterId);
    const backend = this.lifecycle.backendOf(app.clusterId);
    if (app.state !== 'RUNNING') throw notRunningError(app, this.historyServerUrlOf(app.clusterId));
    if (!backend?.sparkUiTarget) {
      throw new DomainError(
        'RESOURCE_NOT_FOUND',
        `cluster ${app.clusterId} ${backend ? `(back-end ${backend.kind}) does not serve` : 'has no back-end to serve'} the live Spark UI of its applications`,
      );
    }
    const target = await backend.sparkUiTarget(app);
    if (!target) {
      throw new DomainError(
        'CONFLICT',
        `application ${app.id} runs, but its Spark UI is not up yet: the driver opens it shortly after it starts (unless sparkConf spark.ui.enabled is "false"); try again in a few seconds`,
      );
    }
    return target;
  }

  /** Newest first unless sorted otherwise. A token limited to clusters or jobs must ask within them. */
  async list(query: ListQuery, actor?: Principal): Promise<Page<Application>> {
    const { limit = 50, cursor, sort, ...filter } = query;
    if (actor?.clusterIds?.length === 1 && filter.clusterId === undefined) filter.clusterId = actor.clusterIds[0];
    if (actor?.jobIds?.length === 1 && filter.jobId === undefined) filter.jobId = actor.jobIds[0];
    authorize(actor, 'applications:read', {
      ...(actor?.clusterIds ? { clusterId: filter.clusterId } : {}),
      ...(actor?.jobIds ? { jobId: filter.jobId } : {}),
    });
    const page = await this.store.listApplications(filter, limit, cursor, sort);
    return { ...page, items: page.items.map((app) => this.view(app)) };
  }

  /**
   * Kills an application. Killing one that has already ended changes nothing and returns it, as
   * the hosted product did: clients (the Airflow operator's on_kill) DELETE and ignore the answer.
   */
  async kill(id: string, actor?: Principal, clusterId?: string): Promise<Application> {
    const app = await this.find(id, 'applications:kill', actor, clusterId);
    if (isTerminal(app.state)) return app;
    const reason = `killed by ${actor?.name ?? 'the runtime'}`;
    try {
      return (await this.lifecycle.stop(app, 'KILLED', reason)) ?? app;
    } catch (error) {
      this.telemetry.backendError(app.clusterId, 'kill');
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
    if (!options.follow || app.backendRef !== undefined || isTerminal(app.state))
      return backend.driverLog(app, options);
    return this.logOnceHandedOver(app, backend, options);
  }

  /** A followed log of a queued application starts once admission hands it to its back-end. */
  private async *logOnceHandedOver(
    queued: Application,
    backend: SparkBackend,
    options: { follow: boolean; signal?: AbortSignal },
  ): AsyncIterable<string> {
    let app = queued;
    while (app.backendRef === undefined && !isTerminal(app.state)) {
      if (options.signal?.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
      app = (await this.store.getApplication(app.id)) ?? app;
    }
    yield* backend.driverLog(app, options);
  }

  /** The Kubernetes events of the application and its pods; none on back-ends without them. */
  async kubeEvents(clusterId: string, id: string, actor?: Principal): Promise<string[]> {
    const app = await this.getInCluster(clusterId, id, actor);
    return (await this.lifecycle.backendOf(app.clusterId)?.kubeEvents?.(app)) ?? [];
  }

  /** The native API's events of an application: what its back-end reports, and whether it reports any. */
  async kubeEventsOf(id: string, actor?: Principal): Promise<KubeEvents> {
    const app = await this.get(id, actor);
    const backend = this.lifecycle.backendOf(app.clusterId);
    if (!backend?.kubeEvents) return { available: false, items: [] };
    return { available: true, items: await backend.kubeEvents(app) };
  }

  /** Resolves once every queued transition and background submission is written. */
  async idle(): Promise<void> {
    await this.admission.idle();
    await this.lifecycle.idle();
  }

  /** The application as callers read it: with its Spark UI links. */
  private view(app: Application): Application {
    const backend = this.lifecycle.backendOf(app.clusterId);
    return withSparkUiLinks(app, {
      proxied: backend?.sparkUiTarget !== undefined,
      historyServerUrl: this.historyServerUrlOf(app.clusterId),
    });
  }

  /** The cluster's History Server, else the runtime's. */
  private historyServerUrlOf(clusterId: string): string | undefined {
    return this.lifecycle.backendOf(clusterId)?.historyServerUrl ?? this.deps.historyServerUrl;
  }

  /** The application, for a caller with `scope` whose limits include it; else, as for an unknown id, not found. */
  private async find(id: string, scope: Scope, actor?: Principal, clusterId?: string): Promise<Application> {
    const app = await this.store.getApplication(id);
    if (!app || (clusterId !== undefined && app.clusterId !== clusterId)) throw notFound('application', id);
    authorizeFound(actor, scope, targetOf(app), notFound('application', id));
    return app;
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

  /**
   * A submission that named an existing application (by appId or idempotency key): the same
   * submission again gets it back; one from another cluster or job, or from a caller who may not
   * see it, is refused without saying what the application is.
   */
  private resubmitted(app: Application, clusterId: string, jobId: string, actor?: Principal): Application {
    if (app.clusterId !== clusterId || app.jobId !== jobId || !maySee(actor, targetOf(app))) {
      throw new DomainError(
        'CONFLICT',
        `application ${app.id} already exists and is not a submission of job ${jobId} on cluster ${clusterId}: choose another appId or idempotency key`,
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

/** What an application belongs to, for the token limits. */
function targetOf(app: Application): Target {
  return { clusterId: app.clusterId, jobId: app.jobId, templateId: app.configTemplateId };
}

/**
 * A config no pod or gang of which the cluster could ever hold is refused with a 400 naming each
 * field, its value, where the value came from and the cluster's limit (not acknowledged, then failed).
 */
/** A config field's issue, with where its value came from (template, tuning, job, overrides). */
function withSource(issue: FieldIssue, provenance: Provenance): FieldIssue {
  const pointer = issue.path.startsWith('config.') ? `/${issue.path.slice('config.'.length).replaceAll('.', '/')}` : '';
  const source = provenance[pointer];
  return source ? { ...issue, message: `${issue.message} (the value comes from ${source})` } : issue;
}

function refuseIssues(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
}

/** What the back-end's cluster would refuse (a Kubernetes API server's schema, its label rules) is a 400 now. */
async function refuseWhatTheBackendWould(
  backend: SparkBackend | undefined,
  app: Application,
  provenance: Provenance,
): Promise<void> {
  const issues = (await backend?.problems?.(app, app.config)) ?? [];
  refuseIssues(issues.map((issue) => withSource(issue, provenance)));
}

function refuseWhatNeverFits(
  clusterId: string,
  backend: SparkBackend | undefined,
  config: ApplicationConfig,
  provenance: Provenance,
): void {
  const capacity = backend?.capacity?.();
  if (!backend || !capacity) return;
  const issues = unfitFields(clusterId, backend.demandOf?.(config) ?? demandOf(config), capacity).map((issue) => {
    const path = `config.${issue.path}`;
    return withSource({ path, message: `${path}: ${issue.message}` }, provenance);
  });
  refuseIssues(issues);
}
