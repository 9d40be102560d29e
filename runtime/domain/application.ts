/** An application: one run of Spark code, as the runtime stores and serves it. */
import type { ApplicationConfig } from './config';
import type { Provenance } from './merge';
import type { AppState } from './states';

/** Where a submission came from, as the Ocean API reports it. */
export type SubmissionSource = 'public-api' | 'api' | 'cli' | 'schedule';

export interface Application {
  /** Unique across the runtime; the Ocean API's `id` and `appId`. */
  id: string;
  clusterId: string;
  jobId: string;
  state: AppState;
  /** Why the application is in its state: the driver's exit code and exception, a kill, a time-out. */
  stateReason?: string;
  submissionSource: SubmissionSource;
  /** Name of the API token that submitted it. */
  userId?: string;
  idempotencyKey?: string;
  configTemplateId?: string;
  /** What the submitter asked for, as sent. */
  configOverrides: ApplicationConfig;
  /** The effective config: template < tuning < job < overrides. */
  config: ApplicationConfig;
  /** For every leaf of `config`, the layer that set it. */
  provenance: Provenance;
  /** How the back-end knows this application (process group id, SparkApplication name...). */
  backendRef?: string;
  /**
   * A kill or time-out under way: the end the back-end then reports is recorded as this state, by
   * whichever replica sees it (the resource deleted by the kill must not read as a failure).
   */
  stopRequest?: { state: 'KILLED' | 'TIMED_OUT'; reason: string };
  /** Run metrics from the event log, once the application has ended and its log was read. */
  metrics?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
}
