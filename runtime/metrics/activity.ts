/** Pure: applications' intervals (created, started, ended) sampled at even steps into running, pending and cores. */
import type { ClusterSummary, SummaryWindow } from '../domain/insights';
import type { ActivityInterval } from '../domain/ports';

/** Length and number of samples of each window: every 30 min over 24 h, 2 h over 7 d, 6 h over 30 d. */
export const WINDOWS: Record<SummaryWindow, { ms: number; steps: number }> = {
  '24h': { ms: 24 * 3_600_000, steps: 48 },
  '7d': { ms: 7 * 86_400_000, steps: 84 },
  '30d': { ms: 30 * 86_400_000, steps: 120 },
};

/**
 * The activity at the end of each of `steps` even steps over [from, to] (the last sample is `to`).
 * At instant t an application is pending from its creation until it started (or ended without
 * starting), running from its start until its end, and a running one holds its requested cores.
 */
export function sampleActivity(
  intervals: readonly ActivityInterval[],
  from: string,
  to: string,
  steps: number,
): ClusterSummary['activity'] {
  const start = Date.parse(from);
  const step = (Date.parse(to) - start) / steps;
  const parsed = intervals.map((i) => ({
    created: Date.parse(i.createdAt),
    started: i.startedAt === undefined ? undefined : Date.parse(i.startedAt),
    ended: i.endedAt === undefined ? Infinity : Date.parse(i.endedAt),
    cores: i.requestedCores,
  }));
  const samples: ClusterSummary['activity'] = [];
  for (let n = 1; n <= steps; n++) {
    const at = Math.round(start + n * step);
    let running = 0;
    let pending = 0;
    let cores = 0;
    for (const i of parsed) {
      if (i.created > at || i.ended <= at) continue;
      if (i.started !== undefined && i.started <= at) {
        running += 1;
        cores += i.cores;
      } else {
        pending += 1;
      }
    }
    samples.push({ at: new Date(at).toISOString(), running, pending, cores });
  }
  return samples;
}
