import { describe, expect, it } from 'vitest';
import type { RunMetrics } from '../domain/metrics';
import { configChanges, jobStatistics, type JobRun } from './job-stats';

function run(i: number, cost?: number): JobRun {
  return {
    appId: `app-${i}`,
    endedAt: Date.UTC(2026, 0, 1 + i),
    state: 'COMPLETED',
    config: { executor: { instances: 2 } },
    provenance: { '/executor/instances': 'job' },
    metrics: {
      executorCoreSeconds: i * 3600,
      durationMs: i * 1000,
      inputBytes: i * 10,
      outputBytes: i * 5,
      efficiency: i / 100,
      ...(cost === undefined ? {} : { cost: { total: cost, currency: 'USD', method: 'x' } }),
    } as RunMetrics,
  };
}

describe('jobStatistics', () => {
  it('puts each tuned run beside its prediction and tracks the median error of the job', () => {
    const predicted = (r: JobRun, durationSeconds: number, cost: number): JobRun => ({
      ...r,
      prediction: { durationSeconds, cost, basis: 'stage replay x1.00 calibration' },
    });
    // run 2 took 2 s against 2.5 s predicted (-20%), run 3 took 3 s against 2 s (+50%); run 4 failed
    const runs = [
      run(1, 10),
      predicted(run(2, 8), 2.5, 10),
      predicted(run(3, 6), 2, 5),
      { ...predicted(run(4), 1, 1), state: 'FAILED' as const },
    ];
    const stats = jobStatistics(runs);
    expect(stats.series[0]!.predicted).toBeUndefined();
    expect(stats.series[1]!.predicted).toEqual({ durationMs: 2500, cost: 10, durationError: -0.2, costError: -0.2 });
    expect(stats.series[2]!.predicted).toEqual({ durationMs: 2000, cost: 5, durationError: 0.5, costError: 0.2 });
    // the failed run is shown but not counted: it did not do the job's work
    expect(stats.series[3]!.predicted?.durationMs).toBe(1000);
    expect(stats.predictionError).toEqual({ runs: 2, duration: expect.closeTo(0.35), cost: expect.closeTo(0.2) });
    expect(jobStatistics([run(1, 10)]).predictionError).toBeUndefined();
  });

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
      state: 'COMPLETED',
      configChanges: [],
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

  it('marks the config leaves that differ from the previous run, with the layer of the new value', () => {
    const first = run(1, 4);
    const second: JobRun = {
      ...run(2, 3),
      config: { executor: { instances: 4, memory: '4g' }, arguments: ['--x'] },
      provenance: { '/executor/instances': 'tuning', '/executor/memory': 'overrides', '/arguments': 'job' },
    };
    const third: JobRun = { ...run(3, 2), config: { executor: { instances: 4 } } };
    const stats = jobStatistics([third, first, second]);
    expect(stats.series.map((p) => p.configChanges)).toEqual([
      [],
      [
        { pointer: '/arguments', to: '["--x"]', layer: 'job' },
        { pointer: '/executor/instances', from: 2, to: 4, layer: 'tuning' },
        { pointer: '/executor/memory', to: '4g', layer: 'overrides' },
      ],
      [
        { pointer: '/arguments', from: '["--x"]' },
        { pointer: '/executor/memory', from: '4g' },
      ],
    ]);
    expect(configChanges({ type: 'Python' }, { type: 'Python' }, {})).toEqual([]);
  });

  it('sums the savings of later successful priced runs against the first one, and names the cheapest', () => {
    // run i costs i and holds i core-hours; run 2 failed, run 4 was not priced
    const runs: JobRun[] = [
      run(5, 5),
      { ...run(2, 1), state: 'FAILED' },
      run(3, 3),
      run(4),
      { ...run(1, 2), config: { executor: { instances: 9 } } },
    ];
    const stats = jobStatistics(runs);
    // baseline run 1 (cost 2, 1 core-hour); later: run 3 (cost 3, 3 h), run 5 (cost 5, 5 h)
    expect(stats.savings).toEqual({
      baselineAppId: 'app-1',
      cost: 2 - 3 + (2 - 5),
      coreHours: 1 - 3 + (1 - 5),
      runs: 2,
    });
    // the failed run 2 was cheaper, but did not do the work
    expect(stats.bestRun).toEqual({ appId: 'app-1', cost: 2, config: { executor: { instances: 9 } } });
    expect(jobStatistics([{ ...run(1, 1), state: 'FAILED' }]).savings).toBeUndefined();
  });
});
