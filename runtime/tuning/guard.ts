/**
 * What the tuner may change: not what the submission's overrides set, not what the job pins, and
 * only the knobs the cluster's back-end declares, within their ranges.
 */
import type { BackendKnobs, KnobRange, TunableKnob } from '../domain/backend-knobs';
import { TUNABLE_KNOBS } from '../domain/backend-knobs';
import type { Provenance } from '../domain/merge';
import { pinPointer, underPins } from '../domain/tuning-pins';
import { displayName, POINTERS } from './knobs';

const KNOB_OF = new Map<string, TunableKnob>(TUNABLE_KNOBS.map((k) => [POINTERS[k], k]));

export class KnobGuard {
  private readonly pins: string[] | undefined;

  constructor(
    private readonly provenance: Provenance,
    /** The job's tuning.pin paths; undefined: every value the job's config sets is pinned. */
    pinPaths: readonly string[] | undefined,
    readonly backend: BackendKnobs,
  ) {
    this.pins = pinPaths?.map(pinPointer);
  }

  /** Why the value at ptr is pinned, or undefined when it is not. */
  pinnedBy(ptr: string): string | undefined {
    const layer = this.provenance[ptr];
    if (layer === 'overrides') return `${displayName(ptr)} is set by the submission's configOverrides`;
    if (this.pins && underPins(this.pins, ptr)) {
      const pin = this.pins.find((p) => ptr === p || ptr.startsWith(`${p}/`))!;
      return `${displayName(ptr)} is pinned by the job (tuning.pin ${displayName(pin)})`;
    }
    if (!this.pins && layer === 'job') {
      return `${displayName(ptr)} is set in the job's config, which lists no tuning.pin: every value of it is pinned`;
    }
    return undefined;
  }

  /** Why the back-end cannot take the knob at ptr, or undefined when it can. */
  refusedBy(ptr: string): string | undefined {
    const knob = KNOB_OF.get(ptr);
    if (knob === undefined || this.backend.knobs[knob] !== undefined) return undefined;
    return `the ${this.backend.kind} back-end does not honour ${displayName(ptr)}`;
  }

  tunable(ptr: string): boolean {
    return this.pinnedBy(ptr) === undefined && this.refusedBy(ptr) === undefined;
  }

  range(ptr: string): KnobRange {
    const knob = KNOB_OF.get(ptr);
    return (knob && this.backend.knobs[knob]) || {};
  }

  /** A numeric value brought within the back-end's range for ptr. */
  clamp(ptr: string, value: number): number {
    const { min, max } = this.range(ptr);
    return Math.min(max ?? Infinity, Math.max(min ?? -Infinity, value));
  }
}
