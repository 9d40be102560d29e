/**
 * Retries and recovery, once an application has ended FAILED: its failure is classified from what
 * its back-end left (failure-cause.ts) and recorded on it; under restartPolicy OnFailure, within
 * the policy's counts (a refused submission and a failed run counted apart), its next attempt is
 * committed as a new application linked to the first (attempt n, retryOf), queued for admission
 * after the policy's interval (retryAt), with more memory when it died of out-of-memory and its
 * strategy asks for recovery (oom-recovery.ts). A kill or a time-out is never retried.
 *
 * The next attempt's id is derived from the first's and the attempt number, so a retry committed
 * twice (two replicas, a repeated hook) is one application.
 *
 * Durability: the failure is recorded last, once the retry is committed, so a FAILED application
 * without one is an end whose follow-up did not finish (the runtime stopped in between); at start
 * the runtime finds those and finishes them (resumeUnfinished), committing the retry at most once.
 */
import type { Application } from '../domain/application';
import { type ApplicationConfig, RESTART_DEFAULTS } from '../domain/config';
import type { Clock, Logger, SparkBackend, Store } from '../domain/ports';
import type { FailureCause } from '../domain/recovery';
import { demandOf } from '../scheduling/demand';
import { unfitFields } from '../scheduling/fits';
import { classifyFailure, type FailureEvidence } from './failure-cause';
import { appIdFor } from './ids';
import type { ApplicationLifecycle } from './lifecycle';
import { raiseMemory, type RecoveryContext, recoversMemory } from './oom-recovery';

/** Lines read from the end of the driver log for evidence. */
const DRIVER_LOG_LINES = 400;
/** Unfinished ends read from the store at a time. */
const RESUME_BATCH = 100;

/** Lines of an event log as text (a local file or rolling directory); an adapter provides it. */
export type EventLogLines = (path: string) => Promise<string[]>;

export interface RetryDeps {
  store: Store;
  lifecycle: ApplicationLifecycle;
  clock: Clock;
  logger: Logger;
  /** Reads an ended application's event log for task failure and executor-removed reasons. @default not read */
  eventLogLines?: EventLogLines;
  /** The replica that acts on the next attempt. @default none (the only replica) */
  ownerId?: string;
}

export class RetryController {
  constructor(private readonly deps: RetryDeps) {}

  /**
   * Classifies and records a FAILED application's failure, then commits its next attempt when its
   * restart policy allows one. Returns the next attempt, if any.
   */
  async ended(app: Application): Promise<Application | undefined> {
    if (app.state !== 'FAILED') return undefined;
    const backend = this.deps.lifecycle.backendOf(app.clusterId);
    const failure = app.failure ?? classifyFailure(await this.evidence(app, backend));
    const next = nextAttempt({ ...app, failure }, this.deps.clock.now(), recoveryContext(app.clusterId, backend));
    let stored: Application | undefined;
    if (next) {
      const inserted = await this.deps.store.insertApplication(
        next,
        this.deps.ownerId !== undefined ? { ownerId: this.deps.ownerId } : undefined,
      );
      stored = inserted.app;
      if (inserted.created) {
        this.deps.logger.info(
          { appId: stored.id, retryOf: stored.retryOf, attempt: stored.attempt, retryAt: stored.retryAt },
          'retry committed',
        );
      }
    }
    // last: a FAILED application without its failure is one whose retry may not be committed yet
    if (app.failure === undefined) {
      await this.deps.store.updateApplication(app.id, { failure }, ['FAILED']);
      this.deps.logger.info({ appId: app.id, failure }, 'classified the failure');
    }
    return stored;
  }

  /**
   * Finishes the ends whose follow-up did not (FAILED, failure not recorded): classifies each and
   * commits its retry if its policy wants one and it has none yet. Returns how many it finished.
   */
  async resumeUnfinished(): Promise<number> {
    let finished = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.deps.store.listUnfinishedFailures(RESUME_BATCH, after);
      for (const app of batch) {
        try {
          await this.ended(app);
          finished += 1;
        } catch (error) {
          // left for the next start; the others are still finished
          this.deps.logger.error({ appId: app.id, err: error }, 'could not finish the end of a failed application');
        }
      }
      if (batch.length < RESUME_BATCH) return finished;
      after = batch[batch.length - 1]!.id;
    }
  }

  private async evidence(app: Application, backend: SparkBackend | undefined): Promise<FailureEvidence> {
    const evidence: FailureEvidence = { ...(app.stateReason !== undefined ? { reason: app.stateReason } : {}) };
    if (!backend || app.backendRef === undefined) return evidence;
    // each source is best effort: what cannot be read is left out, never fails the classification
    const read = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (error) {
        this.deps.logger.warn({ appId: app.id, err: error }, `could not read the ${what} for the failure's cause`);
        return undefined;
      }
    };
    const driverLog = await read('driver log', async () => {
      const lines: string[] = [];
      for await (const line of backend.driverLog(app, { follow: false })) {
        lines.push(line);
        if (lines.length > DRIVER_LOG_LINES) lines.shift();
      }
      return lines;
    });
    const kubeEvents = backend.kubeEvents ? await read('Kubernetes events', () => backend.kubeEvents!(app)) : undefined;
    const path = backend.eventLogPath(app);
    const reader = this.deps.eventLogLines;
    const eventLog = path !== undefined && reader ? await read('event log', () => reader(path)) : undefined;
    return {
      ...evidence,
      ...(driverLog ? { driverLog } : {}),
      ...(kubeEvents ? { kubeEvents } : {}),
      ...(eventLog ? { eventLog } : {}),
    };
  }
}

/** How the cluster's back-end runs a config and what it can hold, for bounding recovered memory. */
export function recoveryContext(clusterId: string, backend: SparkBackend | undefined): RecoveryContext {
  const demand = (config: ApplicationConfig) => backend?.demandOf?.(config) ?? demandOf(config);
  const capacity = backend?.capacity?.();
  return {
    tasksInDriver: (config) => demand(config).executors.count === 0,
    fits: (config) => capacity === undefined || unfitFields(clusterId, demand(config), capacity).length === 0,
  };
}

/**
 * The next attempt of a failed application under its restart policy, or undefined when there is
 * none (policy Never, counts used up, a kill or time-out, an interactive application). Pure.
 */
export function nextAttempt(
  failed: Application & { failure: FailureCause },
  now: Date,
  context: RecoveryContext,
): Application | undefined {
  const policy = failed.config.restartPolicy;
  if (policy?.type !== 'OnFailure' || failed.state !== 'FAILED' || failed.jobId === undefined) return undefined;
  const attempt = failed.attempt ?? 1;
  const submissionRetries = failed.submissionRetries ?? 0;
  const failureRetries = attempt - 1 - submissionRetries;
  const submission = failed.failure.kind === 'submission';
  const allowed = submission
    ? (policy.onSubmissionFailureRetries ?? RESTART_DEFAULTS.retries) > submissionRetries
    : (policy.onFailureRetries ?? RESTART_DEFAULTS.retries) > failureRetries;
  if (!allowed) return undefined;
  const intervalSeconds =
    (submission ? policy.onSubmissionFailureRetryIntervalSeconds : policy.onFailureRetryIntervalSeconds) ??
    RESTART_DEFAULTS.intervalSeconds;
  const first = failed.retryOf ?? failed.id;
  const recovered = recoversMemory(failed.config) ? raiseMemory(failed, failed.failure, context) : undefined;
  const provenance = { ...failed.provenance };
  if (recovered?.memoryRecovery.driverMemory !== undefined) provenance['/driver/memory'] = 'tuning';
  if (recovered?.memoryRecovery.executorMemory !== undefined) provenance['/executor/memory'] = 'tuning';
  const memoryRecovery = recovered?.memoryRecovery ?? failed.memoryRecovery;
  const at = now.toISOString();
  const retryAt = new Date(now.getTime() + intervalSeconds * 1000).toISOString();
  return {
    id: appIdFor(first, `r${attempt + 1}`),
    clusterId: failed.clusterId,
    jobId: failed.jobId,
    state: 'NEW',
    pendingReason: retryPendingReason(attempt + 1, failed.id, failed.failure.kind, retryAt),
    attempt: attempt + 1,
    retryOf: first,
    retryAt,
    ...(submission || submissionRetries > 0 ? { submissionRetries: submissionRetries + (submission ? 1 : 0) } : {}),
    ...(memoryRecovery ? { memoryRecovery } : {}),
    submissionSource: failed.submissionSource,
    type: 'batch',
    ...(failed.userId !== undefined ? { userId: failed.userId } : {}),
    ...(failed.configTemplateId !== undefined ? { configTemplateId: failed.configTemplateId } : {}),
    configOverrides: failed.configOverrides,
    config: recovered?.config ?? failed.config,
    provenance,
    createdAt: at,
    updatedAt: at,
  };
}

/** Why a retry waits before admission looks at it. */
export function retryPendingReason(attempt: number, failedId: string, kind: FailureCause['kind'], retryAt: string) {
  return `attempt ${attempt}, retrying ${failedId} (${kind}): waits its restart interval until ${retryAt}`;
}
