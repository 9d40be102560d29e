/** Where the measurement of an ended application stands: whether its figures can be trusted, and why not. */
import { z } from 'zod';
import { Timestamp } from './common';

export const MeasurementState = z.enum([
  /** Ended, its event log not read yet (or read again after a failure). */
  'pending',
  /** Every figure from a complete event log. */
  'measured',
  /** The log ends before the run did (a killed driver, a log cut while the runtime was down): time and cost from the run's wall time and requested resources. */
  'estimated',
  /** The log could not be read after every attempt: no figures. */
  'failed',
  /** The application never started, so there is no log to read. */
  'skipped',
]);
export type MeasurementState = z.infer<typeof MeasurementState>;

export const Measurement = z
  .strictObject({
    state: MeasurementState,
    /** Why it is not simply measured: the read error, what was estimated, why skipped. */
    reason: z.string().optional(),
    /** Reads of the event log tried so far (this measurement's, not counting earlier ones). */
    attempts: z.number().int().min(0),
    /** When the state was last set; absent on runs measured before the runtime recorded it. */
    at: Timestamp.optional(),
  })
  .meta({
    id: 'Measurement',
    description:
      'Where the measurement of an ended application stands: pending, measured, estimated (the log ends before the run did), failed (with the reason) or skipped (never started).',
  });
export type Measurement = z.infer<typeof Measurement>;

/** POST /applications/{id}/measure takes no body (an empty JSON object is accepted too). */
export const MeasureRequest = z
  .strictObject({})
  .nullish()
  .meta({ description: "Nothing: the application's event log is read again as it is now." });
