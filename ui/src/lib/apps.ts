/** What the pages derive from an application record. */
import type { Application, AppState } from './types';

export const ACTIVE: readonly AppState[] = ['NEW', 'PENDING', 'RUNNING'];

export function isActive(app: Application): boolean {
  return ACTIVE.includes(app.state);
}

/**
 * Cores a running application holds: the driver's plus executors x cores, with Spark's defaults
 * (1 core each, 2 executors) for what the config leaves out, as the runtime counts them.
 */
export function coresOf(app: Application): number {
  const executor = app.config.executor ?? {};
  return (app.config.driver?.cores ?? 1) + (executor.instances ?? 2) * (executor.cores ?? 1);
}

/** Start to end from the metrics; for a running one, start to now. */
export function durationOf(app: Application, now = Date.now()): number | undefined {
  if (app.metrics) return app.metrics.durationMs;
  if (!app.startedAt) return undefined;
  const end = app.endedAt ? Date.parse(app.endedAt) : now;
  return Math.max(0, end - Date.parse(app.startedAt));
}
