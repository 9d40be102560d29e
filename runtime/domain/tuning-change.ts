/** One value the tuner changes, with its reason: in a recommendation and on the application it was applied to. */
import { z } from 'zod';

export const ConfigValue = z.union([z.string(), z.number(), z.boolean()]);
export type ConfigValue = z.infer<typeof ConfigValue>;

/** What the tuner expects a config to do on the next run. */
export const Prediction = z.strictObject({
  durationSeconds: z.number(),
  cost: z.number(),
  /** Which model made it, e.g. "stage replay x0.97 calibration". */
  basis: z.string(),
});
export type Prediction = z.infer<typeof Prediction>;

/** One changed value and the signal that caused it. */
export const TuningChange = z.strictObject({
  /** JSON pointer of the value, e.g. "/executor/memory". */
  pointer: z.string(),
  /** The value the last run used; absent when it was Spark's default. */
  from: ConfigValue.optional(),
  to: ConfigValue,
  /** On an application: the template's or job's value this replaced, its starting point; absent when none did. */
  start: ConfigValue.optional(),
  /** e.g. "executor.memory 8g -> 5g: peak JVM memory 3.1 GiB over the last 3 runs, 25% headroom" */
  reason: z.string(),
});
export type TuningChange = z.infer<typeof TuningChange>;
