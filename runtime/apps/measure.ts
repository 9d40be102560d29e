/**
 * Measures an ended application from its Spark event log: RunMetrics plus cost, stored with the
 * application together with where the measurement stands (Measurement). Runs after the terminal
 * state is persisted, so a missing or damaged log never changes the outcome. A read that fails is
 * tried again with backoff; a log that ends before the run did is priced from the run's wall time.
 */
import type { Application } from '../domain/application';
import { DomainError } from '../domain/errors';
import type { Measurement } from '../domain/measurement';
import type { RunMetrics } from '../domain/metrics';
import type { Clock, Logger, SparkBackend, Store, Telemetry } from '../domain/ports';
import { isTerminal } from '../domain/states';
import { type PriceTable, placementFromConfig, priceRun } from '../metrics/cost';

/**
 * Reads an event log into metrics: a local file or rolling directory, a file: URI, or an
 * object-storage URL (s3a://, gs://) naming the directory given to spark.eventLog.dir. An adapter provides it.
 */
export type EventLogReader = (path: string, options: { submittedAtMs: number }) => Promise<RunMetrics>;

export interface MeasureDeps {
  store: Store;
  backendOf: (clusterId: string) => SparkBackend | undefined;
  readEventLog: EventLogReader;
  priceTable: PriceTable;
  logger: Logger;
  telemetry: Telemetry;
  clock: Clock;
  /**
   * Waits before each read after a failed one; one read more than there are delays. Object storage
   * may list a log a few seconds after the driver closed it, and an outage lasts minutes.
   * @default [5 s, 30 s, 2 min, 10 min]
   */
  retryDelaysMs?: number[];
}

const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000];

export class Measurer {
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly delays: number[];
  private closed = false;

  constructor(private readonly deps: MeasureDeps) {
    this.delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** The hook the lifecycle calls once an application ended: a failed read is retried later. */
  readonly onEnded = async (app: Application): Promise<void> => {
    await this.attempt(app, 1, true);
  };

  /**
   * Reads an ended application's log again now (POST /applications/{id}/measure), whatever its
   * measurement says, and answers the application as stored after it. Not retried on failure:
   * the caller sees the reason and decides.
   */
  async remeasure(id: string): Promise<Application> {
    const app = await this.deps.store.getApplication(id);
    if (!app) throw new DomainError('RESOURCE_NOT_FOUND', `application ${id} does not exist`);
    if (!isTerminal(app.state)) {
      throw new DomainError(
        'CONFLICT',
        `application ${id} is ${app.state}: it is measured once it ended (COMPLETED, FAILED, KILLED or TIMED_OUT)`,
      );
    }
    this.cancelRetry(id);
    await this.attempt(app, 1, false);
    return (await this.deps.store.getApplication(id)) ?? app;
  }

  /**
   * Measures again what a stopped runtime left pending (ended, its log not read yet, or a retry
   * that was waiting), after a restart.
   */
  async resumePending(): Promise<number> {
    const pending = await this.deps.store.listPendingMeasurements(1_000);
    for (const app of pending) {
      if (this.closed) break;
      await this.attempt(app, (app.measurement?.attempts ?? 0) + 1, true);
    }
    return pending.length;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private async attempt(app: Application, attempt: number, retry: boolean): Promise<void> {
    if (!app.startedAt) {
      await this.record(app.id, {
        state: 'skipped',
        reason: 'the application never started: there is no event log to read',
        attempts: 0,
      });
      return;
    }
    const path = this.deps.backendOf(app.clusterId)?.eventLogPath(app);
    if (!path) {
      await this.record(app.id, {
        state: 'failed',
        reason: `cluster ${app.clusterId} has no back-end that knows where the application's event log is`,
        attempts: attempt,
      });
      return;
    }
    let metrics: RunMetrics;
    const started = performance.now();
    try {
      metrics = await this.deps.readEventLog(path, { submittedAtMs: Date.parse(app.createdAt) });
    } catch (error) {
      await this.failed(app, attempt, retry, `${path}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.deps.telemetry.eventLogSeconds((performance.now() - started) / 1000);
    const measured = this.priced(app, metrics);
    await this.deps.store.updateApplication(app.id, {
      metrics: measured.metrics,
      measurement: this.measurement({ ...measured.measurement, attempts: attempt }),
    });
    this.deps.logger.info(
      {
        appId: app.id,
        durationMs: measured.metrics.durationMs,
        cost: measured.metrics.cost?.total,
        measurement: measured.measurement.state,
      },
      'application measured',
    );
  }

  /** Its figures from the log; its time and cost from the wall time too when the log ends early. */
  private priced(
    app: Application,
    metrics: RunMetrics,
  ): { metrics: RunMetrics; measurement: Omit<Measurement, 'attempts' | 'at'> } {
    const fromLog = priceRun(metrics, undefined, this.deps.priceTable);
    const startedAtMs = Date.parse(app.startedAt!);
    const endedAtMs = app.endedAt ? Date.parse(app.endedAt) : startedAtMs;
    const wallMs = Math.max(0, endedAtMs - startedAtMs);
    if (!metrics.incomplete) return { metrics: { ...metrics, cost: fromLog }, measurement: { state: 'measured' } };
    if (wallMs <= metrics.durationMs) {
      // the log covers the run's time but was cut before its end: its figures may miss the last tasks
      return {
        metrics: { ...metrics, cost: fromLog },
        measurement: {
          state: 'estimated',
          reason:
            'the event log was cut before its end (no application end event): the figures cover its complete lines only',
        },
      };
    }
    const placement = placementFromConfig(app.config, startedAtMs, endedAtMs);
    const fromWall = priceRun(metrics, placement, this.deps.priceTable);
    const cost = fromWall.total > fromLog.total ? fromWall : fromLog;
    const heldCoreSeconds = placement.pods
      .filter((pod) => pod.name !== 'driver')
      .reduce((sum, pod) => sum + (pod.cores * wallMs) / 1000, 0);
    return {
      metrics: {
        ...metrics,
        durationMs: wallMs,
        executorCoreSeconds: Math.max(metrics.executorCoreSeconds, heldCoreSeconds),
        cost: { ...cost, method: `estimated from the run's wall time and requested resources: ${cost.method}` },
      },
      measurement: {
        state: 'estimated',
        reason: `the event log ends ${Math.round((wallMs - metrics.durationMs) / 1000)} s before the run did (its driver was stopped before it could finish the log): duration and cost from the run's ${Math.round(wallMs / 1000)} s of wall time and the resources its config requested; the other figures cover the log's complete lines`,
      },
    };
  }

  private async failed(app: Application, attempt: number, retry: boolean, cause: string): Promise<void> {
    const delay = retry ? this.delays[attempt - 1] : undefined;
    if (delay === undefined || this.closed) {
      this.deps.logger.warn({ appId: app.id, attempts: attempt, cause }, 'could not read the event log: no metrics');
      await this.record(app.id, {
        state: 'failed',
        reason: `could not read the event log: ${cause}`,
        attempts: attempt,
      });
      return;
    }
    this.deps.logger.info({ appId: app.id, attempt, retryInMs: delay, cause }, 'could not read the event log yet');
    await this.record(app.id, {
      state: 'pending',
      reason: `read ${attempt} failed (${cause}); trying again in ${Math.round(delay / 1000)} s`,
      attempts: attempt,
    });
    this.cancelRetry(app.id);
    const timer = setTimeout(() => {
      this.retries.delete(app.id);
      void this.retryNow(app.id, attempt + 1);
    }, delay);
    timer.unref();
    this.retries.set(app.id, timer);
  }

  private async retryNow(id: string, attempt: number): Promise<void> {
    try {
      const app = await this.deps.store.getApplication(id);
      if (app && app.measurement?.state === 'pending') await this.attempt(app, attempt, true);
    } catch (error) {
      this.deps.logger.error({ appId: id, err: error }, 'measuring the application again failed');
    }
  }

  private cancelRetry(id: string): void {
    clearTimeout(this.retries.get(id));
    this.retries.delete(id);
  }

  private async record(id: string, measurement: Omit<Measurement, 'at'>): Promise<void> {
    await this.deps.store.updateApplication(id, { measurement: this.measurement(measurement) });
  }

  private measurement(m: Omit<Measurement, 'at'>): Measurement {
    return { ...m, at: this.deps.clock.now().toISOString() };
  }
}
