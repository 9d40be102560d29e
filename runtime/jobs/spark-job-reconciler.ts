/**
 * Jobs as code: makes each SparkJob object the runtime's job (created or replaced through the
 * JobService, so the API's validation and rules hold) and writes back its status: the generation
 * applied, or why it was refused, and the job's last and next run. Changes are applied one at a
 * time, the latest version of an object winning; each resync of the source refreshes every status
 * (a run changes the last run without touching the object). A deleted SparkJob leaves its job and
 * history in the runtime.
 */
import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '../domain/errors';
import type { Logger } from '../domain/ports';
import type { JobDetail } from '../domain/resources';
import { type SparkJobObject, type SparkJobSource, SparkJobStatus } from '../domain/spark-job';
import type { JobService } from './job-service';

export interface SparkJobReconcilerDeps {
  source: SparkJobSource;
  jobs: Pick<JobService, 'get' | 'putConfig'>;
  logger: Logger;
}

/** The job id a SparkJob declares: spec.id, else its name. */
export function jobIdOf(object: SparkJobObject): string {
  const id = (object.spec as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : object.metadata.name;
}

function appliedStatus(generation: number, job: JobDetail): SparkJobStatus {
  const status: SparkJobStatus = {
    observedGeneration: generation,
    jobId: job.id,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Applied', message: `job ${job.id} on cluster ${job.clusterId}` },
    ],
  };
  if (job.lastRun) {
    const { appId, state, createdAt, endedAt } = job.lastRun;
    status.lastRun = { appId, state, createdAt, ...(endedAt !== undefined ? { endedAt } : {}) };
  }
  if (job.nextRunAt !== undefined) status.nextRunAt = job.nextRunAt;
  return status;
}

/** A refusal keeps what the previous status said of the job's runs: the job itself is unchanged. */
function refusedStatus(generation: number, error: DomainError, previous: SparkJobStatus | undefined): SparkJobStatus {
  const issues = error.issues.map((issue) => issue.message).join('; ');
  return {
    ...previous,
    observedGeneration: generation,
    conditions: [{ type: 'Ready', status: 'False', reason: error.code, message: issues || error.message }],
  };
}

export class SparkJobReconciler {
  private readonly pending = new Map<string, SparkJobObject>();
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: SparkJobReconcilerDeps) {}

  start(): void {
    this.deps.source.start({
      onList: (objects) => objects.forEach((object) => this.enqueue(object)),
      onChange: (object) => this.enqueue(object),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await this.deps.source.stop();
    await this.draining;
  }

  /** Resolves once every change received so far is applied (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Applies one object and writes its status when it changed; failures of the source are thrown. */
  async reconcile(object: SparkJobObject): Promise<SparkJobStatus> {
    const generation = object.metadata.generation ?? 0;
    const parsed = SparkJobStatus.safeParse(object.status);
    const previous = parsed.success ? parsed.data : undefined;
    const id = jobIdOf(object);
    let status: SparkJobStatus;
    try {
      const upToDate =
        previous?.observedGeneration === generation && previous.conditions.some((c) => c.status === 'True');
      // an applied generation is not written again, unless the job went missing (a new database)
      let job = upToDate ? await this.existing(id) : undefined;
      if (!job) {
        const spec = typeof object.spec === 'object' && object.spec !== null ? object.spec : {};
        await this.deps.jobs.putConfig(id, { ...spec, id });
        job = await this.deps.jobs.get(id);
      }
      status = appliedStatus(generation, job);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      status = refusedStatus(generation, error, previous);
    }
    if (!isDeepStrictEqual(object.status, status)) await this.deps.source.writeStatus(object, status);
    return status;
  }

  private async existing(id: string): Promise<JobDetail | undefined> {
    try {
      return await this.deps.jobs.get(id);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'RESOURCE_NOT_FOUND') return undefined;
      throw error;
    }
  }

  private enqueue(object: SparkJobObject): void {
    if (this.stopped) return;
    this.pending.set(`${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
    this.kick();
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.pending.size > 0 && !this.stopped) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (const [key, object] of this.pending) {
      this.pending.delete(key);
      try {
        await this.reconcile(object);
      } catch (error) {
        // the next change or resync tries again
        this.deps.logger.warn(
          { sparkJob: key, err: error instanceof Error ? error.message : String(error) },
          'reconciling a SparkJob failed',
        );
      }
    }
  }
}
