/**
 * Measures an ended application from its Spark event log: RunMetrics plus cost, stored with the
 * application. Runs after the terminal state is persisted, so a missing or damaged log never
 * changes the outcome.
 */
import type { Application } from '../domain/application';
import type { RunMetrics } from '../domain/metrics';
import type { SparkBackend, Store, Telemetry } from '../domain/ports';
import { type PriceTable, priceRun } from '../metrics/cost';
import type { Logger } from '../domain/ports';

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
}

export function measureOnEnd(deps: MeasureDeps): (app: Application) => Promise<void> {
  return async (app) => {
    const path = deps.backendOf(app.clusterId)?.eventLogPath(app);
    if (!path) {
      deps.logger.warn({ appId: app.id }, 'no event log: the application has no metrics');
      return;
    }
    const started = performance.now();
    const metrics = await deps.readEventLog(path, { submittedAtMs: Date.parse(app.createdAt) });
    deps.telemetry.eventLogSeconds((performance.now() - started) / 1000);
    metrics.cost = priceRun(metrics, undefined, deps.priceTable);
    await deps.store.updateApplication(app.id, { metrics });
    deps.logger.info(
      { appId: app.id, durationMs: metrics.durationMs, cost: metrics.cost?.total },
      'application measured',
    );
  };
}
