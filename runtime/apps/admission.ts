/**
 * Admission in the service: which queued applications start now. Each pass reads what is active,
 * each cluster's capacity (from its back-end) and quotas (from its settings), asks the planner
 * (runtime/scheduling, pure) and carries out its plan on this replica's applications: admitted ones
 * are marked admitted (committed) and then handed to their back-end; held ones are PENDING with the
 * reason; those that can never start end FAILED with it.
 *
 * Passes run one at a time (a request during a pass runs one more after it): after a submission
 * to a cluster with limits, after an application ends, and every `intervalMs` (ageing, and what
 * other replicas changed). A submission to a cluster without limits (no capacity, no quotas, and
 * a job without concurrency Forbid) is committed admitted and handed over at once, as before.
 *
 * A retry (retryAt in the future) waits out its restart interval before it is planned.
 *
 * Restarts: the queue is the store (NEW or PENDING, never admitted), so a restarted runtime plans
 * it again; an application admitted but not yet handed over is handed over by the reconcile
 * (back-ends are idempotent by id). Replicas: each acts only on the applications it owns, so no
 * application is started twice; the plan counts every replica's applications, and a pass runs
 * under the store's admission lock (one pass at a time over the whole database), reading what is
 * admitted after the previous pass committed its admissions, so two replicas never admit into the
 * same free room. A replica admits only its own part of a plan: a part of a plan within the limits
 * is within them too.
 */
import { type Application, isQueued } from '../domain/application';
import { AdmissionSettings, type ResourceLimits, TEAM_LABEL } from '../domain/admission';
import { priorityOf } from '../domain/config';
import type { Clock, Logger, Store, StoredCluster, StoredJob } from '../domain/ports';
import { parseMemoryMiB } from '../domain/quantity';
import { demandOf } from '../scheduling/demand';
import { plan } from '../scheduling/planner';
import type { Limits, PlanApp, PlanCluster } from '../scheduling/types';
import type { ApplicationLifecycle } from './lifecycle';

export interface AdmissionOptions {
  /** How often a pass runs without being asked, ms. @default 2000 */
  intervalMs?: number;
  /** One priority level gained per this many seconds waited; 0: no ageing. @default 600 */
  agingSeconds?: number;
}

export interface AdmissionDeps {
  store: Store;
  lifecycle: ApplicationLifecycle;
  clock: Clock;
  logger: Logger;
  /** This replica, when several share the store: it acts on its own applications only. @default all */
  ownerId?: string;
}

/** What a pass did, for the tests and the log. */
export interface AdmissionPass {
  admitted: string[];
  held: number;
  rejected: string[];
}

export class AdmissionController {
  private passing: Promise<AdmissionPass | undefined> | undefined;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly options: AdmissionOptions = {},
  ) {}

  /** Whether an application of `job` on `cluster` can start without waiting for a plan. */
  unlimited(cluster: StoredCluster, job: Pick<StoredJob, 'concurrencyPolicy'>): boolean {
    if (job.concurrencyPolicy === 'Forbid') return false;
    if (this.deps.lifecycle.backendOf(cluster.id)?.capacity?.() !== undefined) return false;
    return admissionSettingsOf(cluster).quotas === undefined;
  }

  /** Runs a pass now, or one more after the pass under way; resolves when it is done. */
  request(): Promise<AdmissionPass | undefined> {
    if (this.passing) {
      this.again = true;
      return this.passing;
    }
    this.passing = (async () => {
      let last: AdmissionPass | undefined;
      do {
        this.again = false;
        last = await this.pass();
      } while (this.again);
      return last;
    })()
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'admission pass failed');
        return undefined;
      })
      .finally(() => (this.passing = undefined));
    return this.passing;
  }

  /** Resolves once no pass is under way. */
  async idle(): Promise<void> {
    while (this.passing) await this.passing;
  }

  /** Starts the periodic passes (unref'd: they never keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.request(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private pass(): Promise<AdmissionPass> {
    return this.deps.store.withAdmissionLock(() => this.planAndAdmit());
  }

  /** Reads, plans and commits what it admits: run under the admission lock only. */
  private async planAndAdmit(): Promise<AdmissionPass> {
    const { lifecycle, store } = this.deps;
    const active: Application[] = [];
    for await (const app of lifecycle.active()) active.push(app);
    const result: AdmissionPass = { admitted: [], held: 0, rejected: [] };
    const nowMs = this.deps.clock.now().getTime();
    // a retry waiting its restart interval is not planned yet (its pendingReason says until when)
    const waiting = active.filter(
      (app) => isQueued(app) && !(app.retryAt !== undefined && Date.parse(app.retryAt) > nowMs),
    );
    if (waiting.length === 0) return result;

    const jobs = new Map<string, StoredJob | undefined>();
    for (const app of waiting) {
      if (app.jobId !== undefined && !jobs.has(app.jobId)) jobs.set(app.jobId, await store.getJob(app.jobId));
    }
    const clusters: PlanCluster[] = [];
    for (const cluster of await store.listClusters()) {
      // a cluster without a back-end is left unlimited: the hand-over then fails its applications with the reason
      const backend = lifecycle.backendOf(cluster.id);
      if (backend) clusters.push(planCluster(cluster, backend.capacity?.()));
    }
    const toPlan = (app: Application): PlanApp => {
      const backend = lifecycle.backendOf(app.clusterId);
      return {
        id: app.id,
        clusterId: app.clusterId,
        // a jobless application (a session, a notebook) is a group of its own; ":" is in no job id
        jobId: app.jobId ?? `interactive:${app.id}`,
        team: app.config.labels?.[TEAM_LABEL] ?? app.userId ?? '',
        priority: priorityOf(app.config),
        createdAtMs: Date.parse(app.createdAt),
        demand: backend?.demandOf?.(app.config) ?? demandOf(app.config),
        concurrency: (app.jobId !== undefined && jobs.get(app.jobId)?.concurrencyPolicy) || 'Allow',
      };
    };
    const decided = plan(
      {
        queued: waiting.map(toPlan),
        running: active.filter((app) => !isQueued(app)).map(toPlan),
        clusters,
        nowMs,
      },
      this.options.agingSeconds !== undefined ? { agingSeconds: this.options.agingSeconds } : {},
    );

    const mine = await this.ownedIds(waiting);
    const byId = new Map(waiting.map((app) => [app.id, app]));
    for (const id of decided.admit) {
      if (mine.has(id) && (await this.admit(byId.get(id)!))) result.admitted.push(id);
    }
    for (const held of decided.held) {
      if (mine.has(held.id)) await this.hold(byId.get(held.id)!, held.reason);
    }
    result.held = decided.held.length;
    for (const rejected of decided.rejected) {
      if (!mine.has(rejected.id)) continue;
      await lifecycle.transition(rejected.id, { state: 'FAILED', reason: `cannot be admitted: ${rejected.reason}` });
      result.rejected.push(rejected.id);
    }
    if (result.admitted.length > 0 || result.rejected.length > 0) {
      this.deps.logger.info({ ...result, held: result.held }, 'admission pass');
    }
    return result;
  }

  /** The waiting applications this replica acts on. */
  private async ownedIds(waiting: Application[]): Promise<Set<string>> {
    if (this.deps.ownerId === undefined) return new Set(waiting.map((app) => app.id));
    const owned = new Set<string>();
    for await (const app of this.deps.lifecycle.active(true)) owned.add(app.id);
    return owned;
  }

  /** Marks it admitted (committed first, so a restart hands it over), then hands it to its back-end. */
  private async admit(app: Application): Promise<boolean> {
    const admitted = await this.deps.lifecycle.enqueue(app.id, () =>
      this.deps.store.updateApplication(
        app.id,
        { admittedAt: this.deps.clock.now().toISOString(), pendingReason: null },
        ['NEW', 'PENDING'],
      ),
    );
    // stopped (killed, timed out) meanwhile: nothing to start
    if (!admitted || admitted.stopRequest) return false;
    void this.deps.lifecycle.dispatch(admitted);
    return true;
  }

  /** PENDING with the reason, written only when it changed. */
  private async hold(app: Application, reason: string): Promise<void> {
    if (app.state === 'PENDING' && app.pendingReason === reason) return;
    await this.deps.lifecycle.enqueue(app.id, () =>
      this.deps.store.updateApplication(app.id, { state: 'PENDING', pendingReason: reason }, ['NEW', 'PENDING']),
    );
  }
}

function admissionSettingsOf(cluster: StoredCluster): AdmissionSettings {
  // the back-end kind's schema checked these when the cluster was declared
  const parsed = AdmissionSettings.safeParse(cluster.settings);
  return parsed.success ? parsed.data : {};
}

function planCluster(cluster: StoredCluster, capacity: PlanCluster['capacity']): PlanCluster {
  const { quotas } = admissionSettingsOf(cluster);
  const teams = quotas?.teams ?? {};
  return {
    id: cluster.id,
    ...(capacity ? { capacity } : {}),
    ...(quotas?.cluster ? { quota: limitsOf(quotas.cluster) } : {}),
    ...(Object.keys(teams).length > 0
      ? { teamQuotas: Object.fromEntries(Object.entries(teams).map(([team, l]) => [team, limitsOf(l)])) }
      : {}),
    ...(quotas?.team ? { defaultTeamQuota: limitsOf(quotas.team) } : {}),
  };
}

function limitsOf(limits: ResourceLimits): Limits {
  const memoryMiB = limits.memory !== undefined ? parseMemoryMiB(limits.memory) : undefined;
  return {
    ...(limits.applications !== undefined ? { applications: limits.applications } : {}),
    ...(limits.cores !== undefined ? { cores: limits.cores } : {}),
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
  };
}
