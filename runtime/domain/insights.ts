/**
 * What the dashboards read beyond the resources themselves: spend grouped over days, a cluster's
 * figures over a window, the timeline of one run, and the stream of application changes. Every
 * figure is computed by the runtime from the store or the event log; the UI only draws it.
 */
import { z } from 'zod';
import { Application } from './application';
import { ResourceId, Timestamp } from './common';
import { AppState } from './states';

/** A calendar day in UTC, e.g. "2026-12-02": a run counts on the day it ended. */
const Day = z.iso.date();
const Count = z.number().int().min(0);

/** Spend of a set of ended applications. */
export const SpendFigures = z.strictObject({
  /** Sum of the priced runs' cost; runs without a price add nothing. */
  cost: z.number().min(0),
  /** Executor core-hours: sum of cores x uptime from the event logs. */
  coreHours: z.number().min(0),
  /** Sum of the applications' durations, hours. */
  applicationHours: z.number().min(0),
  applications: Count,
});
export type SpendFigures = z.infer<typeof SpendFigures>;

export const CostGroupBy = z.enum(['job', 'user', 'label', 'cluster']);
export type CostGroupBy = z.infer<typeof CostGroupBy>;

/** What the Costs page asks: applications that ended in [from, to), grouped. */
export const CostQuery = z
  .strictObject({
    from: Timestamp,
    to: Timestamp,
    /** @default "job" */
    groupBy: CostGroupBy.default('job'),
    /** The label whose values are the groups; required with groupBy=label. */
    labelKey: z.string().min(1).optional(),
    clusterId: ResourceId.optional(),
    /** Rows of the top-spend table. @default 10 */
    top: z.coerce.number().int().min(1).max(100).default(10),
  })
  .refine((q) => q.groupBy !== 'label' || q.labelKey !== undefined, {
    path: ['labelKey'],
    message: 'is required when groupBy is "label"',
  })
  .refine((q) => q.from < q.to, { path: ['to'], message: 'must be after from' });
export type CostQuery = z.infer<typeof CostQuery>;

/** One group's spend; `key` is the job id, user, label value or cluster id ("" when it has none). */
export const CostGroup = SpendFigures.extend({ key: z.string() });
export type CostGroup = z.infer<typeof CostGroup>;

export const CostReport = z
  .strictObject({
    from: Timestamp,
    to: Timestamp,
    groupBy: CostGroupBy,
    labelKey: z.string().optional(),
    /** The currency of the priced runs (the price table's). */
    currency: z.string().optional(),
    total: SpendFigures,
    /** Every day of the range, oldest first, each with its groups (largest cost first). */
    days: z.array(z.strictObject({ day: Day, groups: z.array(CostGroup) })),
    /** The groups of the whole range with the largest cost, with their share of the total cost (0..1). */
    top: z.array(CostGroup.extend({ share: z.number().min(0).max(1) })),
  })
  .meta({ id: 'CostReport' });
export type CostReport = z.infer<typeof CostReport>;

export const SummaryWindow = z.enum(['24h', '7d', '30d']);
export type SummaryWindow = z.infer<typeof SummaryWindow>;

/** A cluster's figures over the last 24 h, 7 d or 30 d. */
export const ClusterSummary = z
  .strictObject({
    clusterId: ResourceId,
    window: SummaryWindow,
    from: Timestamp,
    to: Timestamp,
    currency: z.string().optional(),
    /** Spend and data of the applications that ended in the window. */
    totals: SpendFigures.extend({
      inputBytes: z.number().min(0),
      outputBytes: z.number().min(0),
      /** Sum of task time over sum of executor core uptime across those runs, 0..1; absent with no measured run. */
      efficiency: z.number().min(0).optional(),
    }),
    /** Applications of the cluster now in each state (active ones) or that ended in the window in it. */
    countsByState: z.array(z.strictObject({ state: AppState, count: Count })),
    /** Ended applications per day of the window by final state, oldest first. */
    endedPerDay: z.array(
      z.strictObject({
        day: Day,
        completed: Count,
        failed: Count,
        killed: Count,
        timedOut: Count,
      }),
    ),
    /** Sampled at even steps over the window: applications running and pending, and cores they hold. */
    activity: z.array(
      z.strictObject({
        at: Timestamp,
        running: Count,
        pending: Count,
        /** Cores requested by the running applications (driver and executors). */
        cores: z.number().min(0),
      }),
    ),
  })
  .meta({ id: 'ClusterSummary' });
export type ClusterSummary = z.infer<typeof ClusterSummary>;

/** One change of an application, as the stream of changes sends it (SSE event "application"). */
export const ApplicationChange = z
  .strictObject({
    /** The application as stored after the change. */
    application: Application,
  })
  .meta({ id: 'ApplicationChange' });
export type ApplicationChange = z.infer<typeof ApplicationChange>;
