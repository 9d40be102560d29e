/** What every rule and the search read: the policy, limits, the reference run and its measurements. */
import type { TuningPolicy } from '../domain/resources';
import type { Knobs } from './knobs';
import type { KnobGuard } from './guard';
import type { MemoryEvidence } from './memory';
import type { Pricing } from './pricing';
import type { RunVerdict } from './signals';
import type { StageTiming, TuningBounds, TuningRun } from './types';

export const DEFAULT_BOUNDS: TuningBounds = {
  minExecutors: 1,
  maxExecutors: 64,
  minCores: 1,
  maxCores: 8,
  minMemoryMiB: 1024,
  maxMemoryMiB: 65536,
  minDriverMemoryMiB: 1024,
  maxDriverMemoryMiB: 32768,
  minPartitions: 1,
  maxPartitions: 20000,
};

export interface TuningContext {
  policy: TuningPolicy;
  bounds: TuningBounds;
  pricing: Pricing;
  guard: KnobGuard;
  /** Runs that say something about their config (spot-interrupted runs removed), oldest first. */
  runs: readonly TuningRun[];
  verdicts: ReadonlyMap<TuningRun, RunVerdict>;
  /** The latest successful run: the measurements the next config is derived from. */
  ref: TuningRun;
  refKnobs: Knobs;
  /** Stage timings of ref (from its event log), or one pseudo-stage built from its totals. */
  stages: StageTiming[];
  memory: MemoryEvidence;
  /** True when a spot interruption hit at least 2 of the last 5 runs. */
  spotUnreliable: boolean;
}

/** Proposed resource values shared by the rules and the search. */
export interface Draft {
  adaptive: boolean;
  partitions: number;
  advisoryBytes: number;
  /** Memory per core the next run must have at least, MiB, and why. */
  memoryFloorPerCoreMiB: number;
  memoryFloorReason?: string;
  /** Headroom over the measured peak. @default 1.25 */
  headroom: number;
  /** Partitions get bigger this step: memory per core must not go down until a run measures them. */
  holdMemoryPerCore: boolean;
}
