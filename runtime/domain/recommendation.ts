/** What tuning sets for a job's next run, each change with the signal behind it. */
import { z } from 'zod';
import { ApplicationConfig } from './config';
import { TuningPolicy } from './resources';
import { TuningChange } from './tuning-change';

export { ConfigValue, TuningChange } from './tuning-change';

export const Prediction = z.strictObject({
  durationSeconds: z.number(),
  cost: z.number(),
  /** Which model made it, e.g. "stage replay x0.97 calibration". */
  basis: z.string(),
});
export type Prediction = z.infer<typeof Prediction>;

export const Recommendation = z
  .strictObject({
    mode: TuningPolicy.shape.mode.unwrap(),
    /** True when the next run uses it (mode auto); recommend-only computes the same but does not apply it. */
    applied: z.boolean(),
    /** The whole "tuning" layer for the config merge (not only the changes); empty when off or nothing is known. */
    tuning: ApplicationConfig,
    changes: z.array(TuningChange),
    /** What the chosen config is expected to do on the next run, when a model could tell. */
    prediction: Prediction.optional(),
    /** Context that is not a change: ignored runs, a return to the best known config, why nothing changed. */
    notes: z.array(z.string()),
  })
  .meta({ id: 'Recommendation' });
export type Recommendation = z.infer<typeof Recommendation>;
