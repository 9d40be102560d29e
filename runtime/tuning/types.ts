/** The tuner's input and output: a job's run history in, the next run's "tuning" config layer out. */
import type { ApplicationConfig } from '../domain/config';
import type { Provenance } from '../domain/merge';
import type { RunMetrics, StageTiming } from '../domain/metrics';
import type { TuningPolicy } from '../domain/resources';
import type { AppState } from '../domain/states';
import type { BackendKnobs } from '../domain/backend-knobs';
import type { MemoryRecovery } from '../domain/recovery';
import type { Pricing } from './pricing';

/** One past run of the job. */
export interface TuningRun {
  appId?: string;
  /** The effective (merged) config the run used. */
  config: ApplicationConfig;
  /** JSON pointer -> layer that set it, from mergeConfig. A pointer absent here is a Spark default. */
  provenance: Provenance;
  /** Absent when the run died before its event log said anything. */
  metrics?: RunMetrics;
  /** Per-stage task counts and times, for the replay model. @default metrics.stageTimings; without either, one pseudo-stage */
  stages?: StageTiming[];
  state: AppState;
  stateReason?: string;
  /** The run lost executors or failed because spot capacity was reclaimed. @default detected from executorsLost reasons */
  spotInterrupted?: boolean;
  /** The memory out-of-memory recovery gave this run, and why: the tuner never goes below it. */
  memoryRecovery?: MemoryRecovery;
}

/** Limits the tuner stays within. */
export interface TuningBounds {
  /** @default 1 */
  minExecutors: number;
  /** @default 64 */
  maxExecutors: number;
  /** @default 1 */
  minCores: number;
  /** @default 8 */
  maxCores: number;
  /** @default 1024 */
  minMemoryMiB: number;
  /** @default 65536 */
  maxMemoryMiB: number;
  /** @default 1024 */
  minDriverMemoryMiB: number;
  /** @default 32768 */
  maxDriverMemoryMiB: number;
  /** @default 1 */
  minPartitions: number;
  /** @default 20000 */
  maxPartitions: number;
}

export interface TuningOptions {
  /** Use the run-time model (scaling fit + stage replay) to choose resources; false = simple rules only. @default true */
  useModel?: boolean;
  /** Most config values changed by one recommendation. @default 4 */
  maxChangesPerRun?: number;
  /** A run whose objective (per input GiB) is worse than the best run by more than this share is a regression. @default 0.1 */
  regressionTolerance?: number;
}

export interface TuningInput {
  /** The job's runs, oldest first. */
  history: readonly TuningRun[];
  policy: TuningPolicy;
  /** The cluster's prices (pricingOf its price table). @default DEFAULT_PRICING: the built-in AWS catalogue, for tests and the simulator */
  pricing?: Pricing;
  /** The knobs the cluster's back-end honours. @default undeclaredKnobs: every knob */
  backend?: BackendKnobs;
  /** @default DEFAULT_BOUNDS */
  bounds?: Partial<TuningBounds>;
  options?: TuningOptions;
}

export type { StageTiming } from '../domain/metrics';
export type { ConfigValue, HeldKnob, Prediction, Recommendation, TuningChange } from '../domain/recommendation';
