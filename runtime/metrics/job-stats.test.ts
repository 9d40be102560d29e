import { describe, expect, it } from 'vitest';
import type { RunMetrics } from '../domain/metrics';
import { jobStatistics, type JobRun } from './job-stats';

function run(i: number, cost?: number): JobRun {
  return {
    appId: `app-${i}`,
    endedAt: Date.UTC(2026, 0, 1 + i),
    metrics: {
      durationMs: i * 1000,
      inputBytes: i * 10,
      outputBytes: i * 5,
      efficiency: i / 100,
      ...(cost === undefined ? {} : { cost: { total: cost, currency: 'USD', method: 'x' } }),
    } as RunMetrics,
  };
}

describe('jobStatistics', () => {
  it('gives the medians of the last 10 runs and the series of all runs, oldest first', () => {
    const runs = Array.from({ length: 15 }, (_, i) => run(i + 1, i + 1)).reverse();
    const stats = jobStatistics(runs);
    expect(stats.series.map((p) => p.appId)).toEqual(Array.from({ length: 15 }, (_, i) => `app-${i + 1}`));
    expect(stats.series[0]).toEqual({
      appId: 'app-1',
      endedAt: '2026-01-02T00:00:00.000Z',
      cost: 1,
      durationMs: 1000,
      inputBytes: 10,
      outputBytes: 5,
      efficiency: 0.01,
    });
    // runs 6..15: median of an even count is the mean of the middle two (10, 11)
    expect(stats.medianOfRuns).toBe(10);
    expect(stats.medians).toMatchObject({ cost: 10.5, durationMs: 10_500, inputBytes: 105, outputBytes: 52.5 });
    expect(stats.medians.efficiency).toBeCloseTo(0.105, 12);
  });

  it('takes the cost median over priced runs only, and accepts ISO dates', () => {
    const runs = [run(1, 3), run(2), { ...run(3, 5), endedAt: '2026-01-04T00:00:00Z' }];
    const stats = jobStatistics(runs, 10);
    expect(stats.medians.cost).toBe(4);
    expect(stats.medians.durationMs).toBe(2000);
  });

  it('has no medians without runs', () => {
    expect(jobStatistics([])).toEqual({
      medianOfRuns: 0,
      medians: {
        cost: undefined,
        durationMs: undefined,
        inputBytes: undefined,
        outputBytes: undefined,
        efficiency: undefined,
      },
      series: [],
    });
  });
});
