/** Builders for tuner tests: a run from layers plus metric overrides (defaults plus overrides), or from a real event log. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplicationConfig } from '../domain/config';
import { type Layers, mergeConfig } from '../domain/merge';
import { emptyRunMetrics, type RunMetrics } from '../domain/metrics';
import { parseEventLog } from '../metrics/event-log-parser';
import type { StageTiming, TuningRun } from './types';

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export const TEMPLATE: ApplicationConfig = {
  sparkConf: { 'spark.sql.shuffle.partitions': '200', 'spark.sql.adaptive.enabled': 'false' },
  driver: { memory: '4g' },
  executor: {
    instances: 10,
    cores: 4,
    memory: '16g',
    instanceType: 'm5.4xlarge',
    instanceAllowList: ['m5', 'c5', 'r5'],
  },
};

export function metrics(overrides: Partial<RunMetrics> = {}): RunMetrics {
  return {
    ...emptyRunMetrics(),
    durationMs: 600_000,
    executorCoreSeconds: 24_000,
    inputBytes: 20 * GIB,
    inputRecords: 1e8,
    outputBytes: GIB,
    outputRecords: 1e6,
    shuffleReadBytes: 10 * GIB,
    shuffleWriteBytes: 10 * GIB,
    peakJvmMemoryBytes: 6 * GIB,
    peakRssBytes: 6.5 * GIB,
    executorRunTimeMs: 20_000_000,
    executorCpuTimeMs: 18_000_000,
    jvmGcTimeMs: 400_000,
    gcTimeShare: 0.02,
    efficiency: 0.83,
    cpuUtilization: 0.75,
    tasks: { completed: 360, failed: 0, killed: 0 },
    stages: { completed: 2, failed: 0 },
    executors: [{ executorId: 'driver', cores: 1, addedAt: 0, peakJvmMemoryBytes: 3 * GIB }],
    cost: { total: 1, currency: 'USD', method: 'test' },
    ...overrides,
  };
}

/** Scan of 160 tasks and a shuffle of `partitions` tasks over 10 GiB. */
export function stages(partitions = 200, taskMs = 50_000): StageTiming[] {
  return [
    {
      stageId: 0,
      tasks: 160,
      taskTimeMs: 160 * taskMs,
      maxTaskMs: taskMs * 1.1,
      shuffleReadBytes: 0,
      inputBytes: 20 * GIB,
    },
    {
      stageId: 1,
      tasks: partitions,
      taskTimeMs: 200 * taskMs,
      maxTaskMs: ((200 * taskMs) / partitions) * 1.1,
      shuffleReadBytes: 10 * GIB,
      inputBytes: 0,
    },
  ];
}

export function run(
  layers: Layers<ApplicationConfig> = {},
  overrides: Partial<RunMetrics> = {},
  extra: Partial<TuningRun> = {},
): TuningRun {
  const { config, provenance } = mergeConfig<ApplicationConfig>({ template: TEMPLATE, ...layers });
  return { config, provenance, metrics: metrics(overrides), stages: stages(), state: 'COMPLETED', ...extra };
}

/** The metrics of a real event log checked in under runtime/metrics/fixtures. */
export async function fixtureMetrics(file: string): Promise<RunMetrics> {
  const log = join(__dirname, '..', 'metrics', 'fixtures', file);
  return parseEventLog(readFileSync(log, 'utf8').split('\n'));
}

/** A completed local run of a Python job (one executor of 2 cores, local[2]) with these metrics. */
export function localPythonRun(appId: string, template: ApplicationConfig, metrics: RunMetrics): TuningRun {
  const { config, provenance } = mergeConfig<ApplicationConfig>({
    template: { type: 'Python', executor: { instances: 1, cores: 2 }, ...template },
  });
  return { appId, config, provenance, metrics, state: 'COMPLETED' };
}
