/** Jobs, config templates and submissions: the resources both APIs serve. */
import { Cron } from 'croner';
import { z } from 'zod';
import { Application } from './application';
import { ResourceId, Timestamp } from './common';
import { ApplicationConfig } from './config';
import { AppState } from './states';
import { PinPath } from './tuning-pins';

export const TuningPolicy = z.strictObject({
  /** auto: apply recommendations; recommend-only: compute and show them; off. @default "auto" */
  mode: z.enum(['auto', 'recommend-only', 'off']).default('auto'),
  /** @default "cost" */
  objective: z.enum(['cost', 'duration', 'cost-within-duration']).default('cost'),
  /** For "cost-within-duration": the longest acceptable run. */
  maxDurationSeconds: z.number().int().positive().optional(),
  /**
   * Config paths of the job the tuner must not change (a submission's configOverrides are always
   * pinned); the job's other values are starting points it may tune. @default absent: every
   * value of the job's config is pinned, as before pins existed; `[]` lets it tune them all
   */
  pin: z.array(PinPath).optional(),
});
export type TuningPolicy = z.infer<typeof TuningPolicy>;

/** A cron expression croner reads: 5 fields, 6 with seconds first, or a nickname such as @daily. */
const CronExpression = z
  .string()
  .min(1)
  .superRefine((cron, ctx) => {
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
const ConcurrencyPolicy = z.enum(['Allow', 'Forbid', 'Replace']);

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

/** A job as stored: its spec and when it was created and last changed. */
export const StoredJob = JobSpec.extend({ createdAt: Timestamp, updatedAt: Timestamp }).meta({ id: 'Job' });
export type StoredJob = z.infer<typeof StoredJob>;

/** A job's latest application, as the Jobs page lists it. */
export const LastRun = z.strictObject({
  appId: ResourceId,
  state: AppState,
  userId: z.string().optional(),
  createdAt: Timestamp,
  startedAt: Timestamp.optional(),
  endedAt: Timestamp.optional(),
  /** From its metrics; absent until it was measured. */
  durationMs: z.number().min(0).optional(),
  cost: z.number().min(0).optional(),
});
export type LastRun = z.infer<typeof LastRun>;

/** A job as listed: with the next instant of its schedule, when it has one that is enabled, and its latest run. */
export const JobSummary = StoredJob.extend({
  nextRunAt: Timestamp.optional(),
  /** Absent when the job never ran. */
  lastRun: LastRun.optional(),
}).meta({ id: 'JobSummary' });
export type JobSummary = z.infer<typeof JobSummary>;

/** A job with its latest executions, newest first. */
export const JobDetail = JobSummary.extend({ executions: z.array(Application) }).meta({ id: 'JobDetail' });
export type JobDetail = z.infer<typeof JobDetail>;

export const ConfigTemplate = z
  .strictObject({ id: ResourceId, config: ApplicationConfig })
  .meta({ id: 'ConfigTemplate' });
export type ConfigTemplate = z.infer<typeof ConfigTemplate>;

/** What PUT of a template takes: its config (the id, if sent, must be the path's). */
export const TemplateUpdate = ConfigTemplate.partial({ id: true }).meta({ id: 'TemplateUpdate' });

export const StoredTemplate = ConfigTemplate.extend({
  clusterId: ResourceId,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'Template' });
export type StoredTemplate = z.infer<typeof StoredTemplate>;

/** What a submission looks like: the OpenAPI examples of both APIs. */
export const SUBMIT_EXAMPLE = {
  jobId: 'daily-etl-ingestion',
  configOverrides: {
    type: 'Python',
    mainApplicationFile: 's3a://acme-jobs/etl/ingest.py',
    arguments: ['--date', '2026-12-01'],
    executor: { instances: 4, cores: 4, memory: '8g' },
    sparkConf: { 'spark.sql.shuffle.partitions': '64' },
  },
} as const;

/** A submission, as the Ocean API's POST /cluster/{clusterId}/app body. */
export const SubmitRequest = z
  .strictObject({
    jobId: ResourceId,
    appId: ResourceId.optional(),
    configTemplateId: ResourceId.optional(),
    configOverrides: ApplicationConfig.optional(),
  })
  .meta({ id: 'SubmitRequest', examples: [SUBMIT_EXAMPLE] });
export type SubmitRequest = z.infer<typeof SubmitRequest>;
