/** A set of proposed values, each with its reason, checked against pins, the back-end and the change budget. */
import type { ApplicationConfig } from '../domain/config';
import { valueAtPointer } from '../domain/merge';
import { parseMemoryMiB } from '../domain/quantity';
import type { KnobGuard } from './guard';
import type { MemoryFloor } from './recovery-floor';
import { configValue, displayName, displayValue, effectiveValue, POINTERS, readKnobs } from './knobs';
import type { ConfigValue, HeldKnob, TuningChange } from './types';

const MEMORY_POINTERS = new Set<string>([POINTERS.memory, POINTERS.memoryOverhead, POINTERS.driverMemory]);

/** True when two config values mean the same (8g == 8192m, "200" == 200). */
export function sameValue(ptr: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (MEMORY_POINTERS.has(ptr)) return parseMemoryMiB(String(a)) === parseMemoryMiB(String(b));
  return String(a) === String(b);
}

export class Plan {
  readonly changes: TuningChange[] = [];
  /** The first refusal of each knob a rule or the search wanted to change. */
  readonly refused = new Map<string, HeldKnob>();

  constructor(
    private readonly current: ApplicationConfig,
    readonly guard: KnobGuard,
    readonly maxChanges: number,
    /** Memory out-of-memory recovery set, by pointer: never proposed lower. */
    private readonly floors: ReadonlyMap<string, MemoryFloor> = new Map(),
  ) {}

  get remaining(): number {
    return this.maxChanges - this.changes.length;
  }

  has(ptr: string): boolean {
    return this.changes.some((c) => c.pointer === ptr);
  }

  /** True when the value is the one already in effect, set or by default (spot already on is no change). */
  private inEffect(ptr: string, to: ConfigValue): boolean {
    const set = valueAtPointer(this.current, ptr);
    if (set !== undefined) return sameValue(ptr, set, to);
    const effective = effectiveValue(readKnobs(this.current), ptr);
    return effective !== undefined && sameValue(ptr, configValue(ptr, effective), to);
  }

  /** Would setting these values be allowed and how many changes would it cost? undefined when one is pinned or not honoured. */
  cost(values: Record<string, number | boolean | string | undefined>): number | undefined {
    let n = 0;
    for (const [ptr, value] of Object.entries(values)) {
      if (value === undefined || this.has(ptr)) continue;
      if (this.inEffect(ptr, configValue(ptr, value))) continue;
      if (!this.guard.tunable(ptr)) return undefined;
      n++;
    }
    return n;
  }

  private refuse(ptr: string, why: HeldKnob['why'], reason: string): false {
    if (!this.refused.has(ptr)) {
      const value = valueAtPointer(this.current, ptr) as ConfigValue | undefined;
      this.refused.set(ptr, { pointer: ptr, ...(value !== undefined ? { value } : {}), why, reason });
    }
    return false;
  }

  /**
   * Proposes a value; ignored when it is already in effect, pinned, not honoured by the back-end
   * (each recorded with why), or the budget is spent. `why` is the signal, without the "name from -> to:" prefix.
   */
  set(ptr: string, proposed: number | boolean | string, why: string): boolean {
    const value = typeof proposed === 'number' ? this.guard.clamp(ptr, proposed) : proposed;
    const to = configValue(ptr, value);
    const from = valueAtPointer(this.current, ptr) as ConfigValue | undefined;
    if (this.inEffect(ptr, to)) return false;
    const wanted = `would set ${displayValue(ptr, to)} (${why})`;
    const pinned = this.guard.pinnedBy(ptr);
    if (pinned) return this.refuse(ptr, 'pinned', `${pinned}; ${wanted}`);
    const refused = this.guard.refusedBy(ptr);
    if (refused) return this.refuse(ptr, 'backend', `${refused}; ${wanted}`);
    const floor = this.floors.get(ptr);
    if (floor && (parseMemoryMiB(String(to)) ?? Infinity) < floor.mib) {
      return this.refuse(ptr, 'recovery', `${floor.reason}; ${wanted}`);
    }
    const existing = this.changes.findIndex((c) => c.pointer === ptr);
    if (existing < 0 && this.remaining <= 0) {
      return this.refuse(ptr, 'budget', `change budget used (${this.maxChanges} changes a run); ${wanted}`);
    }
    const change = {
      pointer: ptr,
      from,
      to,
      reason: `${displayName(ptr)} ${displayValue(ptr, from)} -> ${displayValue(ptr, to)}: ${why}`,
    };
    if (existing >= 0) this.changes[existing] = change;
    else this.changes.push(change);
    this.refused.delete(ptr);
    return true;
  }
}
