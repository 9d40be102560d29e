/**
 * Fires job schedules (JobSpec.schedule: cron in a time zone) as submissions, honouring the job's
 * concurrency policy as a Kubernetes CronJob does: Allow starts the run beside active ones, Forbid
 * skips it while one is active, Replace kills the active ones first.
 *
 * Every replica may run a scheduler: a scheduled run's application id is made of the job id and
 * the scheduled instant, so the store lets one submission through and the others get it back.
 * Runs missed while no scheduler was running are not caught up; a tick that comes late fires only
 * the latest instant it missed (within the last day).
 */
import { Cron } from 'croner';
import type { Application } from '../domain/application';
import type { Clock, Store, StoredJob } from '../domain/ports';
import { ACTIVE_STATES } from '../domain/states';
import type { ApplicationService } from '../apps/application-service';
import { type Logger, silentLogger } from '../domain/ports';
import { appIdFor } from '../apps/ids';

export interface JobSchedulerDeps {
  store: Store;
  applications: ApplicationService;
  clock: Clock;
  /** @default silent */
  logger?: Logger;
  /** How often due runs are looked for, ms (the finest cron field is the second). @default 1000 */
  tickMs?: number;
  /** How often the scheduled jobs are read again, ms: a schedule change applies within it. @default 10000 */
  refreshMs?: number;
}

/** What a tick did with one due run. */
export interface Firing {
  jobId: string;
  /** The instant the schedule named. */
  scheduledAt: string;
  outcome: 'submitted' | 'skipped' | 'failed';
  appId?: string;
  reason?: string;
}

interface Scheduled {
  job: StoredJob;
  cron: Cron;
}

/** Jobs read per page when the scheduled ones are read again. */
const PAGE = 500;

/** The application id of the run scheduled at `at`: the same on every replica. */
export function scheduledAppId(jobId: string, at: Date): string {
  return appIdFor(jobId, `${at.getTime().toString(36).padStart(9, '0')}-cron`);
}

export class JobScheduler {
  private readonly logger: Logger;
  private scheduled: Scheduled[] = [];
  private readAtMs = Number.NEGATIVE_INFINITY;
  /** Runs due after this instant and up to now fire at the next tick. */
  private lastTick: Date | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The tick in progress, so ticks never overlap. */
  private ticking: Promise<Firing[]> | undefined;

  constructor(private readonly deps: JobSchedulerDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /** Starts ticking (unref'd: it never keeps the process alive); runs due before now are not fired. */
  start(): void {
    if (this.timer) return;
    this.lastTick = this.deps.clock.now();
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.logger.error({ err: error }, 'schedule tick failed'));
    }, this.deps.tickMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking?.catch(() => undefined);
  }

  /** Reads the scheduled jobs at the next tick instead of waiting for the refresh period. */
  refresh(): void {
    this.readAtMs = Number.NEGATIVE_INFINITY;
  }

  /** Fires the runs due since the last tick (the first tick only notes the time). */
  tick(): Promise<Firing[]> {
    this.ticking ??= this.fireDue().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async fireDue(): Promise<Firing[]> {
    const now = this.deps.clock.now();
    const since = this.lastTick;
    this.lastTick = now;
    if (since === undefined) return [];
    await this.readJobs(now);
    const firings: Firing[] = [];
    for (const { job, cron } of this.scheduled) {
      const due = latestBetween(cron, since, now);
      if (due) firings.push(await this.fire(job, due));
    }
    return firings;
  }

  private async readJobs(now: Date): Promise<void> {
    if (now.getTime() - this.readAtMs < (this.deps.refreshMs ?? 10_000)) return;
    const scheduled: Scheduled[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listJobs({}, PAGE, cursor);
      for (const job of page.items) {
        if (!job.schedule?.enabled) continue;
        try {
          scheduled.push({ job, cron: new Cron(job.schedule.cron, { timezone: job.schedule.timezone, paused: true }) });
        } catch (error) {
          // stored before cron expressions were validated: it must not stop the other schedules
          this.logger.warn({ jobId: job.id, reason: (error as Error).message }, 'schedule not readable, skipped');
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.scheduled = scheduled;
    this.readAtMs = now.getTime();
  }

  private async fire(job: StoredJob, at: Date): Promise<Firing> {
    const firing = { jobId: job.id, scheduledAt: at.toISOString() };
    try {
      const appId = scheduledAppId(job.id, at);
      // the run of this instant, submitted by another replica, is not in its own way
      const active = (await this.activeRuns(job.id)).filter((app) => app.id !== appId);
      if (active.length > 0 && job.concurrencyPolicy === 'Forbid') {
        const reason = `concurrency policy Forbid: ${active.map((app) => app.id).join(', ')} still active`;
        this.logger.info({ ...firing, reason }, 'scheduled run skipped');
        return { ...firing, outcome: 'skipped', reason };
      }
      if (job.concurrencyPolicy === 'Replace') {
        for (const app of active) await this.deps.applications.kill(app.id);
      }
      const { app, created } = await this.deps.applications.submit(
        job.clusterId,
        { jobId: job.id, appId },
        { source: 'schedule', userId: 'scheduler' },
      );
      if (created) this.logger.info({ ...firing, appId: app.id }, 'scheduled run submitted');
      return { ...firing, outcome: 'submitted', appId: app.id };
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.error({ ...firing, reason }, 'scheduled run failed to submit');
      return { ...firing, outcome: 'failed', reason };
    }
  }

  /** The job's applications not yet ended. */
  private async activeRuns(jobId: string): Promise<Application[]> {
    const active: Application[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listApplications({ jobId, states: ACTIVE_STATES }, PAGE, cursor);
      active.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return active;
  }
}

const DAY_MS = 86_400_000;

/** The latest instant of the schedule in (since, until] and in the last day before until, if any. */
function latestBetween(cron: Cron, since: Date, until: Date): Date | undefined {
  const from = new Date(Math.max(since.getTime(), until.getTime() - DAY_MS));
  let latest: Date | undefined;
  for (let next = cron.nextRun(from); next && next <= until; next = cron.nextRun(next)) latest = next;
  return latest;
}
