/**
 * Per-job statistics from its runs: the medians of the last runs (the job page's headline
 * figures), the series over all runs (its charts, with what changed in each run's config), what
 * tuning saved against the first run, and the best known config.
 */
import type { ApplicationConfig } from '../domain/config';
import type { ConfigChange, JobRunPoint, JobStatistics } from '../domain/job-statistics';
import { pointer, type Provenance } from '../domain/merge';
import type { MeasuredRun } from '../domain/ports';
import { SUCCESSFUL_STATES } from '../domain/states';
import type { ConfigValue } from '../domain/tuning-change';

/** What the statistics read of a run (the store reads no more). */
export type JobRun = MeasuredRun;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function toMs(endedAt: number | string): number {
  return typeof endedAt === 'number' ? endedAt : Date.parse(endedAt);
}

/** Every leaf of a config by JSON pointer; arrays are leaves, shown as their JSON text. */
export function configLeaves(config: unknown, path: string[] = [], into = new Map<string, ConfigValue>()) {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    for (const [key, value] of Object.entries(config)) configLeaves(value, [...path, key], into);
  } else if (typeof config === 'string' || typeof config === 'number' || typeof config === 'boolean') {
    into.set(pointer(path), config);
  } else if (config !== undefined && config !== null) {
    into.set(pointer(path), JSON.stringify(config));
  }
  return into;
}

/** The leaves of `next` that differ from `previous`, by pointer, with the layer that set the new value. */
export function configChanges(
  previous: ApplicationConfig,
  next: ApplicationConfig,
  provenance: Provenance,
): ConfigChange[] {
  const before = configLeaves(previous);
  const after = configLeaves(next);
  const changes: ConfigChange[] = [];
  for (const ptr of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const from = before.get(ptr);
    const to = after.get(ptr);
    if (from === to) continue;
    const layer = to === undefined ? undefined : provenance[ptr];
    changes.push({
      pointer: ptr,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(layer !== undefined ? { layer } : {}),
    });
  }
  return changes;
}

/** The run's prediction beside its measurement, as relative errors; nothing for an untuned run. */
function predictedOf(run: JobRun): Pick<JobRunPoint, 'predicted'> {
  const p = run.prediction;
  if (p === undefined || p.durationSeconds <= 0) return {};
  const durationMs = p.durationSeconds * 1000;
  const cost = run.metrics.cost?.total;
  return {
    predicted: {
      durationMs,
      cost: p.cost,
      durationError: (run.metrics.durationMs - durationMs) / durationMs,
      ...(cost !== undefined && p.cost > 0 ? { costError: (cost - p.cost) / p.cost } : {}),
    },
  };
}

const coreHours = (metrics: MeasuredRun['metrics']) => metrics.executorCoreSeconds / 3600;

/**
 * @param window how many of the latest runs the medians cover. @default 10
 */
export function jobStatistics(runs: readonly JobRun[], window = 10): JobStatistics {
  const ordered = runs
    .map((run) => ({ run, endedMs: toMs(run.endedAt) }))
    .filter((r) => Number.isFinite(r.endedMs))
    .sort((a, b) => a.endedMs - b.endedMs || a.run.appId.localeCompare(b.run.appId));
  const series: JobRunPoint[] = ordered.map(({ run, endedMs }, i) => ({
    appId: run.appId,
    endedAt: new Date(endedMs).toISOString(),
    state: run.state,
    cost: run.metrics.cost?.total,
    durationMs: run.metrics.durationMs,
    inputBytes: run.metrics.inputBytes,
    outputBytes: run.metrics.outputBytes,
    efficiency: run.metrics.efficiency,
    configChanges: i === 0 ? [] : configChanges(ordered[i - 1]!.run.config, run.config, run.provenance),
    ...predictedOf(run),
  }));
  const last = series.slice(-window);
  const stats: JobStatistics = {
    medianOfRuns: last.length,
    medians: {
      cost: median(last.flatMap((p) => (p.cost === undefined ? [] : [p.cost]))),
      durationMs: median(last.map((p) => p.durationMs)),
      inputBytes: median(last.map((p) => p.inputBytes)),
      outputBytes: median(last.map((p) => p.outputBytes)),
      efficiency: median(last.map((p) => p.efficiency)),
    },
    series,
  };
  const tuned = last.filter((p) => p.predicted !== undefined && SUCCESSFUL_STATES.has(p.state));
  if (tuned.length > 0) {
    const costErrors = tuned.flatMap((p) =>
      p.predicted!.costError === undefined ? [] : [Math.abs(p.predicted!.costError)],
    );
    stats.predictionError = {
      runs: tuned.length,
      duration: median(tuned.map((p) => Math.abs(p.predicted!.durationError)))!,
      ...(costErrors.length > 0 ? { cost: median(costErrors)! } : {}),
    };
  }

  // Savings count successful priced runs only: a failed run did not do the job's work, so what it
  // cost says nothing about the config. The baseline is the first of them because the tuner has no
  // history before it: it ran the job's own (untuned) config, so every later run's difference to it
  // is what tuning, applied since, saved (or cost, when negative). Runs are not normalised by input size.
  const priced = ordered.map((o) => o.run).filter((run) => SUCCESSFUL_STATES.has(run.state) && run.metrics.cost);
  const [baseline, ...later] = priced;
  if (baseline?.metrics.cost) {
    const baseCost = baseline.metrics.cost.total;
    stats.savings = {
      baselineAppId: baseline.appId,
      cost: later.reduce((sum, run) => sum + baseCost - run.metrics.cost!.total, 0),
      coreHours: later.reduce((sum, run) => sum + coreHours(baseline.metrics) - coreHours(run.metrics), 0),
      runs: later.length,
    };
    const best = priced.reduce((a, b) => (b.metrics.cost!.total < a.metrics.cost!.total ? b : a));
    stats.bestRun = { appId: best.appId, cost: best.metrics.cost!.total, config: best.config };
  }
  return stats;
}
