/**
 * The tuning layer of the config merge: the tuner's recommendation from the job's own history.
 * Applied only in `auto` mode; `recommend-only` shows it through the API without applying it.
 */
import type { Application } from '../domain/application';
import type { RunMetrics } from '../domain/metrics';
import type { Store, StoredJob } from '../domain/ports';
import { recommend, type Recommendation, type TuningRun } from '../tuning';
import type { TuningProvider } from './deps';

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

export function tuningFromHistory(store: Store): TuningProvider {
  return async ({ job }) => {
    if (job.tuning.mode !== 'auto') return undefined;
    const recommendation = await recommendationFor(store, job);
    // the whole layer even when nothing changes: dropping it would send the job back to its untuned config
    return Object.keys(recommendation.tuning).length > 0 ? recommendation.tuning : undefined;
  };
}
