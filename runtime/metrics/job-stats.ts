/**
 * Per-job statistics from its runs: the medians of the last runs (the job page's headline
 * figures) and the series over all runs (its charts).
 */
import type { JobRunPoint, JobStatistics } from '../domain/job-statistics';
import type { RunMetrics } from '../domain/metrics';

export interface JobRun {
  appId: string;
  /** When the run ended: epoch ms or an ISO 8601 date-time. */
  endedAt: number | string;
  metrics: RunMetrics;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function toMs(endedAt: number | string): number {
  return typeof endedAt === 'number' ? endedAt : Date.parse(endedAt);
}

/**
 * @param window how many of the latest runs the medians cover. @default 10
 */
export function jobStatistics(runs: readonly JobRun[], window = 10): JobStatistics {
  const ordered = runs
    .map((run) => ({ run, endedMs: toMs(run.endedAt) }))
    .filter((r) => Number.isFinite(r.endedMs))
    .sort((a, b) => a.endedMs - b.endedMs || a.run.appId.localeCompare(b.run.appId));
  const series: JobRunPoint[] = ordered.map(({ run, endedMs }) => ({
    appId: run.appId,
    endedAt: new Date(endedMs).toISOString(),
    cost: run.metrics.cost?.total,
    durationMs: run.metrics.durationMs,
    inputBytes: run.metrics.inputBytes,
    outputBytes: run.metrics.outputBytes,
    efficiency: run.metrics.efficiency,
  }));
  const last = series.slice(-window);
  return {
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
}
