/** A set of proposed values, each with its reason, checked against what the user fixed and the change budget. */
import type { Provenance } from '../domain/merge';
import { valueAtPointer } from '../domain/merge';
import type { ApplicationConfig } from '../domain/config';
import { parseMemoryMiB } from '../domain/quantity';
import { configValue, displayName, displayValue, isTunable, POINTERS } from './knobs';
import type { ConfigValue, TuningChange } from './types';

const MEMORY_POINTERS = new Set<string>([POINTERS.memory, POINTERS.memoryOverhead, POINTERS.driverMemory]);

/** True when two config values mean the same (8g == 8192m, "200" == 200). */
export function sameValue(ptr: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (MEMORY_POINTERS.has(ptr)) return parseMemoryMiB(String(a)) === parseMemoryMiB(String(b));
  return String(a) === String(b);
}

export class Plan {
  readonly changes: TuningChange[] = [];

  constructor(
    private readonly current: ApplicationConfig,
    private readonly provenance: Provenance,
    readonly maxChanges: number,
  ) {}

  get remaining(): number {
    return this.maxChanges - this.changes.length;
  }

  has(ptr: string): boolean {
    return this.changes.some((c) => c.pointer === ptr);
  }

  /** Would setting these values be allowed and how many changes would it cost? undefined when one is user-fixed. */
  cost(values: Record<string, number | boolean | string | undefined>): number | undefined {
    let n = 0;
    for (const [ptr, value] of Object.entries(values)) {
      if (value === undefined || this.has(ptr)) continue;
      const to = configValue(ptr, value);
      if (sameValue(ptr, valueAtPointer(this.current, ptr), to)) continue;
      if (!isTunable(this.provenance, ptr)) return undefined;
      n++;
    }
    return n;
  }

  /**
   * Proposes a value; ignored when it equals the current one, the user fixed it, or the budget is spent.
   * `why` is the signal, without the "name from -> to:" prefix.
   */
  set(ptr: string, value: number | boolean | string, why: string): boolean {
    const to = configValue(ptr, value);
    const from = valueAtPointer(this.current, ptr) as ConfigValue | undefined;
    if (sameValue(ptr, from, to) || !isTunable(this.provenance, ptr)) return false;
    const existing = this.changes.findIndex((c) => c.pointer === ptr);
    if (existing < 0 && this.remaining <= 0) return false;
    const change = {
      pointer: ptr,
      from,
      to,
      reason: `${displayName(ptr)} ${displayValue(ptr, from)} -> ${displayValue(ptr, to)}: ${why}`,
    };
    if (existing >= 0) this.changes[existing] = change;
    else this.changes.push(change);
    return true;
  }
}
