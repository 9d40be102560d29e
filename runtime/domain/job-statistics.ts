/** A job's statistics: the medians of its last runs (the job page's headline) and the series of all runs. */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';
import { ApplicationConfig } from './config';
import { ConfigLayer } from './merge';
import { AppState } from './states';
import { ConfigValue } from './tuning-change';

/** The figures a job page charts for one run. */
const RunFigures = z.strictObject({
  /** Absent when the run was not priced. */
  cost: z.number().optional(),
  durationMs: z.number(),
  inputBytes: z.number(),
  outputBytes: z.number(),
  efficiency: z.number(),
});

/** A config leaf that differs from the previous run's. */
export const ConfigChange = z.strictObject({
  /** JSON pointer, e.g. "/executor/memory". */
  pointer: z.string(),
  /** Absent: the previous run did not set it. */
  from: ConfigValue.optional(),
  /** Absent: this run does not set it. */
  to: ConfigValue.optional(),
  /** The layer that set this run's value (from its provenance); absent when the value was removed. */
  layer: ConfigLayer.optional(),
});
export type ConfigChange = z.infer<typeof ConfigChange>;

export const JobRunPoint = RunFigures.extend({
  appId: ResourceId,
  endedAt: Timestamp,
  state: AppState,
  /** Config leaves that differ from the previous run of the series; empty for the first run. */
  configChanges: z.array(ConfigChange),
  /** What the tuner predicted for this run (tuned runs only), beside what it measured. */
  predicted: z
    .strictObject({
      durationMs: z.number(),
      cost: z.number(),
      /** (measured - predicted) / predicted, e.g. 0.12: the run took 12% longer than predicted. */
      durationError: z.number(),
      /** Absent when the run was not priced. */
      costError: z.number().optional(),
    })
    .optional(),
});
export type JobRunPoint = z.infer<typeof JobRunPoint>;

export const JobStatistics = z
  .strictObject({
    /** Runs counted in the medians (the last `window`). */
    medianOfRuns: z.number().int().min(0),
    /** The median of each figure over the window; each absent when no run of the window has it. */
    medians: RunFigures.partial(),
    /** Every measured run, oldest first. */
    series: z.array(JobRunPoint),
    /**
     * What the runs after the job's first successful priced run saved against it: the sums of
     * (first - run) cost and core-hours over those runs (negative when they cost more).
     * Absent until the job has such a first run.
     */
    savings: z
      .strictObject({
        /** The baseline run. */
        baselineAppId: ResourceId,
        cost: z.number(),
        coreHours: z.number(),
        /** Runs counted (successful, priced, after the baseline). */
        runs: z.number().int().min(0),
      })
      .optional(),
    /**
     * How far the tuner's predictions were off, over the successful tuned runs of the window: the
     * median of |measured - predicted| / predicted. Absent until a tuned run has been measured.
     */
    predictionError: z
      .strictObject({
        runs: z.number().int().min(1),
        duration: z.number().min(0),
        /** Absent when no such run was priced. */
        cost: z.number().min(0).optional(),
      })
      .optional(),
    /** The best known config: that of the cheapest successful priced run. */
    bestRun: z.strictObject({ appId: ResourceId, cost: z.number().min(0), config: ApplicationConfig }).optional(),
  })
  .meta({ id: 'JobStatistics' });
export type JobStatistics = z.infer<typeof JobStatistics>;
