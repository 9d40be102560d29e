/** The strategies the benchmark compares: each turns a job's history into the next run's tuning layer. */
import type { ApplicationConfig } from '../../runtime/domain/config';
import { recommend } from '../../runtime/tuning';
import type { TuningRun } from '../../runtime/tuning/types';
import type { JobModel } from './simulator';
import type { Rng } from './prng';

export type StrategyName = 'none' | 'rules' | 'random' | 'tuner';
export const STRATEGIES: StrategyName[] = ['none', 'rules', 'random', 'tuner'];

export const GRID = {
  executors: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64],
  cores: [1, 2, 4, 8],
  memoryGiB: [1, 2, 4, 8, 16, 32],
  partitions: [16, 64, 200, 800, 1600],
  overheadGiB: [1, 2, 4, 8],
};

/** A grid point as a tuning layer (memory overhead only for jobs with non-JVM memory). */
export function gridLayer(
  model: JobModel,
  e: number,
  c: number,
  m: number,
  p: number,
  o: number | undefined,
): ApplicationConfig {
  return {
    sparkConf: { 'spark.sql.shuffle.partitions': String(p) },
    executor: {
      instances: e,
      cores: c,
      memory: `${m}g`,
      ...(o !== undefined && model.offHeapPerCoreMiB > 0 ? { memoryOverhead: `${o}g` } : {}),
      spot: true,
    },
  };
}

function pick<T>(values: readonly T[], rng: Rng): T {
  return values[Math.floor(rng() * values.length)]!;
}

export function nextLayer(strategy: StrategyName, model: JobModel, history: TuningRun[], rng: Rng): ApplicationConfig {
  if (strategy === 'none' || history.length === 0) return {};
  if (strategy === 'random') {
    // random search also drops the starting instance type: the autoscaler picks within the allow-list
    const layer = gridLayer(
      model,
      pick(GRID.executors, rng),
      pick(GRID.cores, rng),
      pick(GRID.memoryGiB, rng),
      pick(GRID.partitions, rng),
      pick(GRID.overheadGiB, rng),
    );
    return {
      ...layer,
      executor: {
        ...layer.executor,
        instanceType: pick(['m5.2xlarge', 'c5.2xlarge', 'r5.2xlarge', 'm5.4xlarge', 'c5.4xlarge'], rng),
      },
    };
  }
  const policy = {
    mode: 'auto' as const,
    objective: model.objective ?? ('cost' as const),
    ...(model.maxDurationSeconds ? { maxDurationSeconds: model.maxDurationSeconds } : {}),
    ...(model.pin ? { pin: model.pin } : {}),
  };
  return recommend({ history, policy, options: { useModel: strategy === 'tuner' } }).tuning;
}
