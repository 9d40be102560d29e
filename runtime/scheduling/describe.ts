/** The short sentences of the reasons: counts, cores and memory as people read them. */
import { formatMemory } from '../domain/quantity';
import type { Usage } from './ledger';
import type { Limits, Resources } from './types';

export function cores(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function memory(mib: number): string {
  return formatMemory(Math.ceil(mib));
}

/**
 * The first limit that `need` would pass with `used` already taken, as "<label>: 2/2 cores in use,
 * needs 1"; undefined when all hold. `need.applications` is 1 for an application.
 */
export function exceeded(label: string, limits: Limits, used: Usage, need: Resources): string | undefined {
  if (limits.applications !== undefined && used.applications + 1 > limits.applications) {
    return `${label}: ${used.applications}/${limits.applications} applications running`;
  }
  if (limits.cores !== undefined && used.cores + need.cores > limits.cores) {
    return `${label}: ${cores(used.cores)}/${cores(limits.cores)} cores in use, needs ${cores(need.cores)}`;
  }
  if (limits.memoryMiB !== undefined && used.memoryMiB + need.memoryMiB > limits.memoryMiB) {
    return `${label}: ${memory(used.memoryMiB)}/${memory(limits.memoryMiB)} memory in use, needs ${memory(need.memoryMiB)}`;
  }
  return undefined;
}

/** Like exceeded, for a need larger than the limits even with nothing else running. */
export function neverWithin(label: string, limits: Limits, need: Resources): string | undefined {
  if (limits.cores !== undefined && need.cores > limits.cores) {
    return `${label}: needs ${cores(need.cores)} cores, more than its ${cores(limits.cores)}`;
  }
  if (limits.memoryMiB !== undefined && need.memoryMiB > limits.memoryMiB) {
    return `${label}: needs ${memory(need.memoryMiB)} memory, more than its ${memory(limits.memoryMiB)}`;
  }
  return undefined;
}
