import { describe, expect, it } from 'vitest';
import type { Application } from '../domain/application';
import type { Cluster } from '../domain/cluster';
import { emptyRunMetrics, type RunMetrics } from '../domain/metrics';
import type { JobDetail } from '../domain/resources';
import {
  applicationColumns,
  applicationSummary,
  changeLine,
  clusterSummary,
  jobSummary,
  pathOf,
  recommendationSummary,
  runLine,
  statisticsSummary,
  tuningChanges,
} from './summary';

const NOW = Date.parse('2026-12-02T13:45:00.000Z');

const metrics: RunMetrics = {
  ...emptyRunMetrics(),
  durationMs: 41_200,
  waitBeforeStartMs: 2_000,
  executorCoreSeconds: 72,
  inputBytes: 12.5 * 1024 * 1024,
  inputRecords: 1_000_000,
  outputBytes: 2048,
  outputRecords: 10,
  efficiency: 0.634,
  cpuUtilization: 0.5,
  gcTimeShare: 0.02,
  cost: { total: 0.0021234, currency: 'USD', method: '0.02 core-hours x 0.04048 + 0.1 GiB-hours x 0.004445' },
};

function app(overrides: Partial<Application> = {}): Application {
  return {
    id: 'spark-pi-1',
    clusterId: 'local',
    jobId: 'spark-pi',
    state: 'COMPLETED',
    submissionSource: 'cli',
    configOverrides: {},
    config: { executor: { instances: 2, memory: '5g' }, sparkConf: { 'spark.sql.shuffle.partitions': '8' } },
    provenance: {
      '/executor/instances': 'job',
      '/executor/memory': 'tuning',
      '/sparkConf/spark.sql.shuffle.partitions': 'tuning',
    },
    createdAt: '2026-12-02T13:43:00.000Z',
    updatedAt: '2026-12-02T13:44:00.000Z',
    startedAt: '2026-12-02T13:43:02.000Z',
    endedAt: '2026-12-02T13:43:43.000Z',
    metrics,
    ...overrides,
  };
}

/** The value printed after `label:` in fields() output. */
const field = (text: string, label: string) => new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(text)?.[1];

describe('pathOf and tuningChanges', () => {
  it('turns JSON pointers into the dotted paths --set takes', () => {
    expect(pathOf('/executor/memory')).toBe('executor.memory');
    expect(pathOf('/sparkConf/spark.sql.shuffle.partitions')).toBe('sparkConf.spark.sql.shuffle.partitions');
    expect(pathOf('/labels/a~1b~0c')).toBe('labels.a/b~c');
  });

  it('lists the effective values whose layer is tuning, and only those', () => {
    expect(tuningChanges(app())).toEqual(['executor.memory = 5g', 'sparkConf.spark.sql.shuffle.partitions = 8']);
    expect(tuningChanges(app({ provenance: { '/executor/memory': 'overrides' } }))).toEqual([]);
  });
});

describe('runLine', () => {
  it('says state, duration, cost and core-hours of a measured run', () => {
    expect(runLine(app(), NOW)).toBe('spark-pi-1: COMPLETED in 41s, cost 0.0021 USD, 0.02 core-hours');
  });

  it('gives the reason of a failure, and leaves out what was not measured', () => {
    const failed = app({ state: 'FAILED', stateReason: 'exit code 1: ValueError: bad input', metrics: undefined });
    expect(runLine(failed, NOW)).toBe('spark-pi-1: FAILED (exit code 1: ValueError: bad input) in 41s');
    const unpriced = app({ metrics: { ...metrics, cost: undefined } });
    expect(runLine(unpriced, NOW)).toBe('spark-pi-1: COMPLETED in 41s, 0.02 core-hours');
    expect(runLine(app({ state: 'KILLED', startedAt: undefined, metrics: undefined }), NOW)).toBe('spark-pi-1: KILLED');
  });

  it('says why a queued application waits, in the line, the summary and the list', () => {
    const queued = app({
      state: 'PENDING',
      pendingReason: 'cluster local: 2/2 cores in use, needs 1',
      startedAt: undefined,
      endedAt: undefined,
      metrics: undefined,
    });
    expect(runLine(queued, NOW)).toBe('spark-pi-1: PENDING (waiting: cluster local: 2/2 cores in use, needs 1)');
    expect(field(applicationSummary(queued, NOW), 'Waiting')).toBe('cluster local: 2/2 cores in use, needs 1');
    const reason = applicationColumns(NOW).find((c) => c.header === 'REASON')!;
    expect(reason.value(queued)).toBe('cluster local: 2/2 cores in use, needs 1');
    expect(reason.value(app({ state: 'FAILED', stateReason: 'exit code 1' }))).toBe('exit code 1');
  });
});

describe('applicationSummary', () => {
  it('says when the figures are estimated or could not be measured, and why', () => {
    const estimated = applicationSummary(
      app({ measurement: { state: 'estimated', reason: 'the event log ends 38 s before the run did', attempts: 1 } }),
      NOW,
    );
    expect(field(estimated, 'Measurement')).toBe('estimated: the event log ends 38 s before the run did');
    expect(
      field(applicationSummary(app({ measurement: { state: 'measured', attempts: 1 } }), NOW), 'Measurement'),
    ).toBe(undefined);
  });

  it('prints state, duration, cost, core-hours, data read and written, efficiency and what tuning changed', () => {
    const text = applicationSummary(app(), NOW);
    expect(field(text, 'Name')).toBe('spark-pi-1');
    expect(field(text, 'State')).toBe('COMPLETED');
    expect(field(text, 'Duration')).toBe('41s (after waiting 2s to start)');
    expect(field(text, 'Cost')).toBe('0.0021 USD (0.02 core-hours x 0.04048 + 0.1 GiB-hours x 0.004445)');
    expect(field(text, 'Core-hours')).toBe('0.02');
    expect(field(text, 'Read')).toBe('12.5 MiB, 1,000,000 records');
    expect(field(text, 'Written')).toBe('2.0 KiB, 10 records');
    expect(field(text, 'Efficiency')).toBe('63% (CPU 50%, GC 2%)');
    expect(text).toMatch(/^Tuning changed: +executor\.memory = 5g\n +sparkConf\.spark\.sql\.shuffle\.partitions = 8$/m);
    expect(field(text, 'Submitted')).toBe('2026-12-02T13:43:00.000Z through the cli');
    // nothing spilled or shuffled: no such lines
    expect(text).not.toMatch(/^(Spill|Shuffle|Reason):/m);
  });

  it('prints the reason, a run still going and one without metrics', () => {
    const running = app({ state: 'RUNNING', endedAt: undefined, metrics: undefined, provenance: {} });
    const text = applicationSummary(running, NOW);
    expect(field(text, 'Duration')).toBe('1m58s so far');
    expect(field(text, 'Metrics')).toBe('measured from the event log when it ends');
    expect(field(text, 'Tuning changed')).toBe('nothing');
    const failed = applicationSummary(app({ state: 'FAILED', stateReason: 'exit code 1', metrics: undefined }), NOW);
    expect(field(failed, 'Reason')).toBe('exit code 1');
    expect(field(failed, 'Metrics')).toBe('none: no event log measured');
  });
});

describe('jobSummary', () => {
  const job: JobDetail = {
    id: 'spark-pi',
    clusterId: 'local',
    config: {},
    schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris', enabled: true },
    tuning: { mode: 'auto', objective: 'cost' },
    concurrencyPolicy: 'Forbid',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    nextRunAt: '2026-12-03T01:00:00.000Z',
    executions: [app(), app({ id: 'spark-pi-0', state: 'FAILED', metrics: undefined })],
  };

  it('prints the spec, the last run in full, then a table of the executions', () => {
    const text = jobSummary(job, NOW);
    expect(field(text, 'Schedule')).toBe('0 2 * * * (Europe/Paris)');
    expect(field(text, 'Next run')).toBe('2026-12-03T01:00:00.000Z');
    expect(field(text, 'Tuning')).toBe('auto, objective cost');
    expect(field(text, 'Last run')).toBe('spark-pi-1');
    expect(field(text, 'Cost')).toMatch(/^0\.0021 USD/);
    expect(text).toMatch(/^Tuning changed: +executor\.memory = 5g$/m);
    expect(text).toContain('\n\nExecutions (newest first):\nAPP ');
    expect(text).toMatch(/^APP +STATE +CREATED +DURATION +COST +EFFICIENCY +REASON$/m);
    expect(text).toMatch(/^spark-pi-1 +COMPLETED +2026-12-02T13:43:00\.000Z +41s +0\.0021 +63% +-$/m);
    expect(text).toMatch(/^spark-pi-0 +FAILED +\S+ +41s +- +- +-$/m);
  });

  it('says when the job has not run yet', () => {
    expect(field(jobSummary({ ...job, executions: [] }, NOW), 'Last run')).toBe('none yet');
  });
});

describe('statisticsSummary', () => {
  it('prints the medians and one sparkline per figure', () => {
    const point = (i: number, durationMs: number) => ({
      appId: `run-${i}`,
      endedAt: `2026-12-0${i}T00:00:00.000Z`,
      cost: 0.001 * i,
      durationMs,
      inputBytes: 1024 * i,
      outputBytes: 0,
      efficiency: 0.5,
      state: 'COMPLETED' as const,
      configChanges: [],
    });
    const text = statisticsSummary('spark-pi', {
      medianOfRuns: 3,
      medians: { cost: 0.002, durationMs: 40_000, inputBytes: 2048, outputBytes: 0, efficiency: 0.5 },
      series: [point(1, 60_000), point(2, 40_000), point(3, 20_000)],
    });
    expect(field(text, 'Runs')).toBe('3 measured; medians of the last 3');
    expect(field(text, 'Median cost')).toBe('0.002');
    expect(field(text, 'Median duration')).toBe('40s');
    expect(field(text, 'Median read')).toBe('2.0 KiB');
    expect(field(text, 'Median efficiency')).toBe('50%');
    expect(text).toContain('Series, oldest first (3 runs, 2026-12-01T00:00:00.000Z to 2026-12-03T00:00:00.000Z):');
    expect(text).toMatch(/^ {2}duration: +█▅▁ {2}20s to 1m00s, last 20s$/m);
    expect(text).toMatch(/^ {2}cost: +▁▅█ {2}0\.001 to 0\.003, last 0\.003$/m);
  });

  it('prints "-" for medians no run has, and no series without runs', () => {
    const text = statisticsSummary('new-job', { medianOfRuns: 0, medians: {}, series: [] });
    expect(field(text, 'Median cost')).toBe('-');
    expect(text).not.toContain('Series');
  });
});

describe('recommendation', () => {
  it('prints each change once as path from -> to: reason, without the tuner repeating the change', () => {
    expect(
      changeLine({
        pointer: '/executor/memory',
        from: '16g',
        to: '4g',
        reason: 'executor.memory 16g -> 4g: peak JVM memory 3.1 GiB over the last 1 run',
      }),
    ).toBe('executor.memory 16g -> 4g: peak JVM memory 3.1 GiB over the last 1 run');
    expect(
      changeLine({
        pointer: '/executor/instances',
        to: 4,
        reason: 'back to the best known value: run 3 was 40% slower',
      }),
    ).toBe('executor.instances default -> 4: back to the best known value: run 3 was 40% slower');
  });

  it('prints the mode, the changes, the prediction and the notes', () => {
    const text = recommendationSummary('spark-pi', {
      mode: 'recommend-only',
      applied: false,
      tuning: { executor: { memory: '4g' } },
      changes: [{ pointer: '/executor/memory', from: '16g', to: '4g', reason: 'executor.memory 16g -> 4g: peak' }],
      held: [
        { pointer: '/executor/spot', value: true, why: 'backend', reason: 'the local back-end does not honour it' },
        { pointer: '/executor/cores', why: 'pinned', reason: 'executor.cores is pinned by the job (tuning.pin)' },
      ],
      prediction: { durationSeconds: 38, cost: 0.0019, basis: 'stage replay' },
      notes: ['run 2 failed on a spot interruption: ignored as noise'],
    });
    expect(field(text, 'Mode')).toBe('recommend-only (not applied)');
    expect(field(text, 'Changes')).toBe('executor.memory 16g -> 4g: peak');
    expect(field(text, 'Prediction')).toBe('38s, cost 0.0019 (stage replay)');
    expect(text).toContain('executor.spot (true) backend: the local back-end does not honour it');
    expect(text).toContain('executor.cores pinned: executor.cores is pinned by the job (tuning.pin)');
    expect(field(text, 'Notes')).toBe('run 2 failed on a spot interruption: ignored as noise');
    const off = recommendationSummary('x', {
      mode: 'off',
      applied: false,
      tuning: {},
      changes: [],
      held: [],
      notes: [],
    });
    expect(field(off, 'Mode')).toBe('off');
    expect(field(off, 'Changes')).toBe('none');
  });
});

describe('clusterSummary', () => {
  it('prints the state and why, the back-end and who manages it', () => {
    const cluster: Cluster = {
      id: 'prod',
      backend: 'kubernetes',
      settings: { namespace: 'spark' },
      runningApplications: 0,
      state: 'UNREACHABLE',
      reason: 'connect ECONNREFUSED',
      managedBy: 'file',
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
    const text = clusterSummary(cluster);
    expect(field(text, 'State')).toBe('UNREACHABLE');
    expect(field(text, 'Reason')).toBe('connect ECONNREFUSED');
    expect(field(text, 'Settings')).toBe('{"namespace":"spark"}');
    expect(field(text, 'Managed by')).toBe('the clusters file');
  });
});
