/**
 * The tuning layer of the config merge: the tuner's recommendation from the job's own history.
 * Applied only in `auto` mode; `recommend-only` shows it through the API without applying it.
 */
import type { Application } from '../domain/application';
import type { RunMetrics } from '../domain/metrics';
import type { Clock, Store, StoredJob } from '../domain/ports';
import { recommend, type Recommendation, type TuningRun } from '../tuning';
import type { TuningProvider, TuningResult } from './deps';
import { ExpiringCache } from './expiring-cache';

/** How many past runs the tuner reads. */
const HISTORY_RUNS = 20;

function toRun(app: Application): TuningRun {
  return {
    appId: app.id,
    config: app.config,
    provenance: app.provenance,
    metrics: app.metrics as RunMetrics | undefined,
    state: app.state,
    stateReason: app.stateReason,
  };
}

/** The job's recommendation for its next run, from its ended runs (oldest first). */
export async function recommendationFor(store: Store, job: StoredJob): Promise<Recommendation> {
  const page = await store.listApplications(
    { jobId: job.id, states: ['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'TIMED_OUT'] },
    HISTORY_RUNS,
  );
  return recommend({ history: page.items.reverse().map(toRun), policy: job.tuning });
}

/**
 * The tuning layer of every submission. A job's recommendation changes only when one of its runs
 * ends, so it is kept until then (forget) or, for runs ended by another replica, at most ttlMs.
 */
export class TuningLayer {
  /** The layer by job id, with the tuning policy it was made under. */
  private readonly recent: ExpiringCache<string, { policy: string; result: TuningResult | undefined }>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    /** @default 10000 */
    ttlMs = 10_000,
  ) {
    this.recent = new ExpiringCache(clock, ttlMs);
  }

  readonly provider: TuningProvider = async ({ job }) => {
    if (job.tuning.mode !== 'auto') return undefined;
    const policy = JSON.stringify(job.tuning);
    const cached = this.recent.get(job.id);
    if (cached && cached.policy === policy) return cached.result;
    const recommendation = await recommendationFor(this.store, job);
    // the whole layer even when nothing changes: dropping it would send the job back to its untuned config
    const result =
      Object.keys(recommendation.tuning).length > 0
        ? { tuning: recommendation.tuning, changes: recommendation.changes }
        : undefined;
    this.recent.set(job.id, { policy, result });
    return result;
  };

  /** A run of the job ended and was measured: the next submission reads the history again. */
  forget(jobId: string): void {
    this.recent.delete(jobId);
  }
}
