/** What a run says about its config: success, a failure caused by the config, or noise. */
import type { TuningPolicy } from '../domain/resources';
import { SUCCESSFUL_STATES } from '../domain/states';
import type { TuningRun } from './types';

export type RunVerdict =
  | 'ok'
  /** Failed because spot capacity was reclaimed: says nothing about the config. */
  | 'spot-noise'
  | 'oom-heap'
  | 'oom-overhead'
  | 'oom-driver'
  | 'failed';

const SPOT = /spot|preempt|interrupt|reclaim|node (was )?(terminated|drained|deleted)/i;
const DRIVER_OOM = /driver.*(OutOfMemory|OOM|heap space|memory limit)|(OutOfMemory|OOM).*driver/i;
const OVERHEAD_OOM = /memory limits|OOMKilled|exit code 137|memoryOverhead|exceeding memory/i;
const HEAP_OOM = /OutOfMemory|Java heap space|GC overhead limit|\bOOM\b/i;

export function lostToSpot(run: TuningRun): boolean {
  if (run.spotInterrupted) return true;
  return (run.metrics?.executorsLost ?? []).some((lost) => SPOT.test(lost.reason));
}

export function verdictOf(run: TuningRun): RunVerdict {
  if (SUCCESSFUL_STATES.has(run.state)) return 'ok';
  const reason = [run.stateReason ?? '', ...(run.metrics?.executorsLost ?? []).map((l) => l.reason)].join(' | ');
  // an out-of-memory is the config's fault even when a spot node also went away
  if (DRIVER_OOM.test(reason)) return 'oom-driver';
  if (OVERHEAD_OOM.test(reason)) return 'oom-overhead';
  if (HEAP_OOM.test(reason)) return 'oom-heap';
  if (lostToSpot(run)) return 'spot-noise';
  return 'failed';
}

export const GIB = 1024 ** 3;

/** Input GiB of a run, at least a small floor so empty inputs do not divide by zero. */
export function inputGiB(run: TuningRun): number {
  return Math.max(run.metrics?.inputBytes ?? 0, 16 * 1024 * 1024) / GIB;
}

/** The quantity the policy minimises for a finished run, per input GiB so input growth is not a regression. */
export function objectivePerGiB(run: TuningRun, policy: TuningPolicy): number | undefined {
  const m = run.metrics;
  if (!m) return undefined;
  const cost = m.cost?.total;
  const gib = inputGiB(run);
  if (policy.objective === 'duration' || cost === undefined) return m.durationMs / 1000 / gib;
  return cost / gib;
}

/** True when a run broke the duration limit of a cost-within-duration policy. */
export function overDurationLimit(run: TuningRun, policy: TuningPolicy): boolean {
  return (
    policy.objective === 'cost-within-duration' &&
    policy.maxDurationSeconds !== undefined &&
    run.metrics !== undefined &&
    run.metrics.durationMs / 1000 > policy.maxDurationSeconds
  );
}
