/** Jobs, config templates, submissions and applications: the resources both APIs serve. */
import { Cron } from 'croner';
import { z } from 'zod';
import { ApplicationConfig } from './config';
import { AppState } from './states';

/** Ids of clusters, jobs, apps and templates: DNS-label-like, because they name Kubernetes objects. */
export const ResourceId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'is not an id of lowercase letters, digits and "-" (1 to 63 characters, starting and ending alphanumeric)',
});

export const TuningPolicy = z.strictObject({
  /** auto: apply recommendations; recommend-only: compute and show them; off. @default "auto" */
  mode: z.enum(['auto', 'recommend-only', 'off']).default('auto'),
  /** @default "cost" */
  objective: z.enum(['cost', 'duration', 'cost-within-duration']).default('cost'),
  /** For "cost-within-duration": the longest acceptable run. */
  maxDurationSeconds: z.number().int().positive().optional(),
});
export type TuningPolicy = z.infer<typeof TuningPolicy>;

/** A cron expression croner reads: 5 fields, 6 with seconds first, or a nickname such as @daily. */
const CronExpression = z.string().superRefine((cron, ctx) => {
  try {
    new Cron(cron, { paused: true });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a cron expression: ${(error as Error).message}` });
  }
});

const TimeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone such as "UTC" or "Europe/Paris"' },
);

export const Schedule = z.strictObject({
  /** When the job runs: a cron expression, e.g. "0 2 * * *" (02:00 every day). */
  cron: CronExpression,
  /** The IANA time zone the expression is read in. @default "UTC" */
  timezone: TimeZone.default('UTC'),
  /** @default true */
  enabled: z.boolean().default(true),
});
export type Schedule = z.infer<typeof Schedule>;

/**
 * The schedule's first instant after `after`; undefined when it is disabled, has no more, or
 * cannot be read (stored before expressions were validated: the scheduler skips it too).
 */
export function nextRunOf(schedule: Schedule, after: Date): Date | undefined {
  if (!schedule.enabled) return undefined;
  try {
    return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRun(after) ?? undefined;
  } catch {
    return undefined;
  }
}

/** What happens when a run is due while another run of the same job is active (as Kubernetes CronJob). */
export const ConcurrencyPolicy = z.enum(['Allow', 'Forbid', 'Replace']);

export const JobSpec = z
  .strictObject({
    id: ResourceId,
    displayName: z.string().optional(),
    clusterId: ResourceId,
    configTemplateId: ResourceId.optional(),
    /** The job's own configuration: above tuning, below a submission's configOverrides. */
    config: ApplicationConfig.default({}),
    schedule: Schedule.optional(),
    tuning: TuningPolicy.default({ mode: 'auto', objective: 'cost' }),
    /** @default "Allow" */
    concurrencyPolicy: ConcurrencyPolicy.default('Allow'),
  })
  .meta({ id: 'JobSpec' });
export type JobSpec = z.infer<typeof JobSpec>;

export const ConfigTemplate = z
  .strictObject({ id: ResourceId, config: ApplicationConfig })
  .meta({ id: 'ConfigTemplate' });
export type ConfigTemplate = z.infer<typeof ConfigTemplate>;

/** A submission, as the Ocean API's POST /cluster/{clusterId}/app body. */
export const SubmitRequest = z
  .strictObject({
    jobId: ResourceId,
    appId: ResourceId.optional(),
    configTemplateId: ResourceId.optional(),
    configOverrides: ApplicationConfig.optional(),
  })
  .meta({ id: 'SubmitRequest' });
export type SubmitRequest = z.infer<typeof SubmitRequest>;

export { AppState };
