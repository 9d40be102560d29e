/**
 * The tuning layer of the config merge: the tuner's recommendation from the job's own history.
 * Applied only in `auto` mode; `recommend-only` shows it through the API without applying it.
 */
import type { Application } from '../domain/application';
import type { BackendKnobs } from '../domain/backend-knobs';
import { undeclaredKnobs } from '../domain/backend-knobs';
import type { RunMetrics } from '../domain/metrics';
import type { Clock, Store, StoredCluster, StoredJob } from '../domain/ports';
import { parsePriceTable, type PriceTable } from '../metrics/cost';
import { recommend, type Recommendation, type TuningRun } from '../tuning';
import { pricingOf } from '../tuning/pricing';
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
    ...(app.memoryRecovery ? { memoryRecovery: app.memoryRecovery } : {}),
  };
}

/** What the tuner needs to know of the job's cluster, from the composition root. */
export interface TuningEnvironment {
  /** The knobs the cluster's back-end honours (its plug-in's declaration). @default every knob */
  knobsOf?: (cluster: StoredCluster) => BackendKnobs | undefined;
  /** The price table runs are billed with. @default its defaults (per core-hour and GiB-hour) */
  priceTable?: PriceTable;
}

/** The job's recommendation for its next run, from its ended runs (oldest first), for its cluster's back-end and prices. */
export async function recommendationFor(
  store: Store,
  job: StoredJob,
  environment: TuningEnvironment = {},
): Promise<Recommendation> {
  const [page, cluster] = await Promise.all([
    store.listApplications(
      { jobId: job.id, states: ['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'TIMED_OUT'] },
      HISTORY_RUNS,
    ),
    store.getCluster(job.clusterId),
  ]);
  const table = environment.priceTable ?? parsePriceTable({});
  return recommend({
    history: page.items.reverse().map(toRun),
    policy: job.tuning,
    backend: (cluster && environment.knobsOf?.(cluster)) ?? undeclaredKnobs(cluster?.backend ?? 'unknown'),
    pricing: pricingOf(table, cluster?.region),
  });
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
    private readonly environment: TuningEnvironment = {},
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
    const recommendation = await recommendationFor(this.store, job, this.environment);
    // the whole layer even when nothing changes: dropping it would send the job back to its untuned config
    const result =
      Object.keys(recommendation.tuning).length > 0
        ? {
            tuning: recommendation.tuning,
            changes: recommendation.changes,
            ...(recommendation.prediction ? { prediction: recommendation.prediction } : {}),
          }
        : undefined;
    this.recent.set(job.id, { policy, result });
    return result;
  };

  /** A run of the job ended and was measured: the next submission reads the history again. */
  forget(jobId: string): void {
    this.recent.delete(jobId);
  }
}
