/**
 * The memory out-of-memory recovery gave the job (runtime/apps/oom-recovery.ts): a floor the tuner
 * never goes below, quoted with the out-of-memory reason it was recorded with.
 */
import { formatMemory, parseMemoryMiB } from '../domain/quantity';
import { POINTERS } from './knobs';
import type { TuningRun } from './types';

export interface MemoryFloor {
  mib: number;
  /** e.g. "driver memory 1g after out-of-memory in run a-1: driver memory 512m -> 1g: a-1 ran out of memory (...)" */
  reason: string;
}

/** Floors by pointer, from the latest run that carried recovered memory. */
export function recoveryFloors(history: readonly TuningRun[]): Map<string, MemoryFloor> {
  const floors = new Map<string, MemoryFloor>();
  const recovery = history.findLast((r) => r.memoryRecovery)?.memoryRecovery;
  if (!recovery) return floors;
  for (const [ptr, pod, memory] of [
    [POINTERS.driverMemory, 'driver', recovery.driverMemory],
    [POINTERS.memory, 'executor', recovery.executorMemory],
  ] as const) {
    const mib = memory === undefined ? undefined : parseMemoryMiB(memory);
    if (mib === undefined) continue;
    floors.set(ptr, {
      mib,
      reason: `${pod} memory ${formatMemory(mib)} after out-of-memory in run ${recovery.fromAppId}: ${recovery.reason}`,
    });
  }
  return floors;
}
