/** A job's statistics: the medians of its last runs (the job page's headline) and the series of all runs. */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';

/** The figures a job page charts for one run. */
const RunFigures = z.strictObject({
  /** Absent when the run was not priced. */
  cost: z.number().optional(),
  durationMs: z.number(),
  inputBytes: z.number(),
  outputBytes: z.number(),
  efficiency: z.number(),
});

export const JobRunPoint = RunFigures.extend({ appId: ResourceId, endedAt: Timestamp });
export type JobRunPoint = z.infer<typeof JobRunPoint>;

export const JobStatistics = z
  .strictObject({
    /** Runs counted in the medians (the last `window`). */
    medianOfRuns: z.number().int().min(0),
    /** The median of each figure over the window; each absent when no run of the window has it. */
    medians: RunFigures.partial(),
    /** Every measured run, oldest first. */
    series: z.array(JobRunPoint),
  })
  .meta({ id: 'JobStatistics' });
export type JobStatistics = z.infer<typeof JobStatistics>;
