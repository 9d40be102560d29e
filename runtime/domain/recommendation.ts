/** What tuning sets for a job's next run, each change with the signal behind it. */
import { z } from 'zod';
import { ApplicationConfig } from './config';
import { TuningPolicy } from './resources';
import { ConfigValue, Prediction, TuningChange } from './tuning-change';

export { ConfigValue, Prediction, TuningChange } from './tuning-change';

/** A knob the recommendation leaves as it is, and why. */
export const HeldKnob = z.strictObject({
  /** JSON pointer of the value, e.g. "/executor/spot". */
  pointer: z.string(),
  /** The value in effect; absent when it is Spark's or the back-end's default. */
  value: ConfigValue.optional(),
  /**
   * pinned: set by the submission's overrides or pinned by the job; backend: the cluster's back-end
   * does not honour it; budget: the change budget of this run was used; no-signal: nothing measured calls for a change;
   * recovery: out-of-memory recovery raised it, and the tuner keeps at least that.
   */
  why: z.enum(['pinned', 'backend', 'budget', 'no-signal', 'recovery']),
  /** e.g. "executor.memory is pinned by the job (tuning.pin executor)" */
  reason: z.string(),
});
export type HeldKnob = z.infer<typeof HeldKnob>;

export const Recommendation = z
  .strictObject({
    mode: TuningPolicy.shape.mode.unwrap(),
    /** True when the next run uses it (mode auto); recommend-only computes the same but does not apply it. */
    applied: z.boolean(),
    /** The whole "tuning" layer for the config merge (not only the changes); empty when off or nothing is known. */
    tuning: ApplicationConfig,
    changes: z.array(TuningChange),
    /** Every other knob, with why it is not changed. */
    held: z.array(HeldKnob),
    /** What the chosen config is expected to do on the next run, when a model could tell. */
    prediction: Prediction.optional(),
    /** Context that is not a change: ignored runs, a return to the best known config, why nothing changed. */
    notes: z.array(z.string()),
  })
  .meta({ id: 'Recommendation' });
export type Recommendation = z.infer<typeof Recommendation>;
