/** An application: one run of Spark code, as the runtime stores it and both APIs serve it. */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';
import { ApplicationConfig } from './config';
import { Measurement } from './measurement';
import { Provenance } from './merge';
import { RunMetrics } from './metrics';
import { FailureCause, MemoryRecovery } from './recovery';
import { SparkUiLinks } from './spark-ui';
import { Prediction, TuningChange } from './tuning-change';
import { AppState } from './states';

/** Where a submission came from, as the Ocean API reports it. */
export const SubmissionSource = z.enum(['public-api', 'api', 'cli', 'schedule']);
export type SubmissionSource = z.infer<typeof SubmissionSource>;

/**
 * A batch run of a job, an interactive Spark Connect session, or a notebook kernel. Only a batch run
 * belongs to a job: the interactive kinds have no jobId.
 */
export const ApplicationType = z.enum(['batch', 'session', 'notebook']);
export type ApplicationType = z.infer<typeof ApplicationType>;

/** What an application list can be sorted by. */
export const ApplicationSortKey = z.enum(['createdAt', 'startedAt', 'duration', 'cost', 'coreHours']);
export type ApplicationSortKey = z.infer<typeof ApplicationSortKey>;

const StopRequest = z.strictObject({ state: z.enum(['KILLED', 'TIMED_OUT']), reason: z.string() });

export const Application = z
  .strictObject({
    /** Unique across the runtime; the Ocean API's `id` and `appId`. */
    id: ResourceId,
    clusterId: ResourceId,
    /** The job it is a run of: required for a batch run, absent for a session or notebook (they belong to no job). */
    jobId: ResourceId.optional(),
    state: AppState,
    /** Why the application is in its state: the driver's exit code and exception, a kill, a time-out. */
    stateReason: z.string().optional(),
    /**
     * While it waits to start: why admission holds it back, e.g. "cluster local: 2/2 cores in use,
     * needs 1" or "quota team-a: 64/64 cores in use, needs 8"; once admitted, why its back-end has not
     * taken it yet (its API server out of reach, retried). Absent once handed over.
     */
    pendingReason: z.string().optional(),
    /** Its attempt: 1 for a first run, n for the (n-1)th retry under its restartPolicy. Absent: 1. */
    attempt: z.number().int().min(1).optional(),
    /** The first attempt, on every retry (attempt 2 and later). */
    retryOf: ResourceId.optional(),
    /** A retry waits its restart policy's interval: admission does not start it before this. */
    retryAt: Timestamp.optional(),
    /** How many of the attempts before this one were retries of a refused submission (the rest retried a failure). */
    submissionRetries: z.number().int().min(0).optional(),
    /** On a FAILED application: why, classified (what retries and out-of-memory recovery act on). */
    failure: FailureCause.optional(),
    /** Memory out-of-memory recovery raised for this run, and why. */
    memoryRecovery: MemoryRecovery.optional(),
    /** When admission let it start (before it was handed to its back-end); absent while it waits. */
    admittedAt: Timestamp.optional(),
    submissionSource: SubmissionSource,
    /** Absent only on records built before the store set it: read as "batch". */
    type: ApplicationType.optional(),
    /** Name of the API token that submitted it. */
    userId: z.string().optional(),
    idempotencyKey: z.string().optional(),
    configTemplateId: ResourceId.optional(),
    /** What the submitter asked for, as sent. */
    configOverrides: ApplicationConfig,
    /** The effective config: template < tuning < job < overrides. */
    config: ApplicationConfig,
    provenance: Provenance,
    /** The tuner's changes this run's config kept at submission (tuning mode auto), each with its reason. */
    tuningChanges: z.array(TuningChange).optional(),
    /**
     * What the tuner predicted for this run when its layer was applied (tuning mode auto), to read
     * beside what was measured (metrics.durationMs, metrics.cost). Absent on untuned runs.
     */
    prediction: Prediction.optional(),
    /** How the back-end knows this application (process group id, SparkApplication name...). */
    backendRef: z.string().optional(),
    /**
     * A kill or time-out under way: the end the back-end then reports is recorded as this state, by
     * whichever replica sees it (the resource deleted by the kill must not read as a failure).
     */
    stopRequest: StopRequest.optional(),
    /** Run metrics from the event log, once the application has ended and its log was read. */
    metrics: RunMetrics.optional(),
    /** Where reading its event log stands once it ended: measured, estimated, failed and why, or skipped. */
    measurement: Measurement.optional(),
    /** Its live Spark UI while it runs, the run in the History Server after: added when read, never stored. */
    sparkUi: SparkUiLinks.optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Timestamp.optional(),
    endedAt: Timestamp.optional(),
  })
  .superRefine((app, ctx) => {
    const issue = jobIdIssue(app.type ?? 'batch', app.jobId);
    if (issue !== undefined) ctx.addIssue({ code: 'custom', path: ['jobId'], message: issue, input: app.jobId });
  })
  .meta({ id: 'Application' });
export type Application = z.infer<typeof Application>;

/** Whether a jobId fits the application type: why not, or undefined when it does. */
export function jobIdIssue(type: ApplicationType, jobId: string | undefined): string | undefined {
  if (type === 'batch' && jobId === undefined) return 'a batch application needs a jobId (the job it is a run of)';
  if (type !== 'batch' && jobId !== undefined) {
    return `an application of type ${type} belongs to no job: expected no jobId, got "${jobId}"`;
  }
  return undefined;
}

/** An interactive application (a session or a notebook): it belongs to no job. */
export function isInteractive(app: Pick<Application, 'type'>): boolean {
  return app.type === 'session' || app.type === 'notebook';
}

/** Waiting for admission: committed, never admitted nor handed to a back-end, and not being stopped. */
export function isQueued(app: Application): boolean {
  return (
    (app.state === 'NEW' || app.state === 'PENDING') &&
    app.admittedAt === undefined &&
    app.backendRef === undefined &&
    app.stopRequest === undefined
  );
}
