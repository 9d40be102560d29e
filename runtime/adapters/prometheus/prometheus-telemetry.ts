/**
 * The runtime's metrics in Prometheus format (prom-client), served at /metrics: applications
 * submitted, started and ended by cluster and state, the applications queued and running now,
 * submission latency, event-log parse time, store latency per operation, back-end errors, and
 * HTTP request durations.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store, Telemetry } from '../../domain/ports';
import { ACTIVE_STATES, type AppState } from '../../domain/states';

export class PrometheusTelemetry implements Telemetry {
  readonly registry = new Registry();
  private readonly submittedTotal = new Counter({
    name: 'sparkplane_applications_submitted_total',
    help: 'Applications committed, by cluster.',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly startedTotal = new Counter({
    name: 'sparkplane_applications_started_total',
    help: 'Applications that started running, by cluster.',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly endedTotal = new Counter({
    name: 'sparkplane_applications_ended_total',
    help: 'Applications that reached a terminal state, by cluster and state.',
    labelNames: ['cluster', 'state'],
    registers: [this.registry],
  });
  private readonly submission = new Histogram({
    name: 'sparkplane_submission_duration_seconds',
    help: 'From a submission received to its application committed.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly eventLog = new Histogram({
    name: 'sparkplane_event_log_parse_duration_seconds',
    help: 'Reading one event log into run metrics.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  private readonly store = new Histogram({
    name: 'sparkplane_store_operation_duration_seconds',
    help: 'Store calls, by operation.',
    labelNames: ['operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  private readonly backendErrors = new Counter({
    name: 'sparkplane_backend_errors_total',
    help: 'Back-end calls that failed, by cluster and operation.',
    labelNames: ['cluster', 'operation'],
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'sparkplane_http_request_duration_seconds',
    help: 'HTTP requests, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  /** `store` answers the gauges of applications queued and running, read at each scrape. */
  constructor(countStore: Pick<Store, 'countApplications'>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sparkplane_process_' });
    const active = new Gauge({
      name: 'sparkplane_applications_active',
      help: 'Applications not ended, by cluster and state (NEW and PENDING are the queue).',
      labelNames: ['cluster', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { clusterId, state, count } of await countStore.countApplications(ACTIVE_STATES)) {
          this.set({ cluster: clusterId, state }, count);
        }
      },
    });
    void active;
  }

  submitted(clusterId: string): void {
    this.submittedTotal.inc({ cluster: clusterId });
  }
  submissionSeconds(seconds: number): void {
    this.submission.observe(seconds);
  }
  started(clusterId: string): void {
    this.startedTotal.inc({ cluster: clusterId });
  }
  ended(clusterId: string, state: AppState): void {
    this.endedTotal.inc({ cluster: clusterId, state });
  }
  eventLogSeconds(seconds: number): void {
    this.eventLog.observe(seconds);
  }
  backendError(clusterId: string, operation: string): void {
    this.backendErrors.inc({ cluster: clusterId, operation });
  }
  storeSeconds(operation: string, seconds: number): void {
    this.store.observe({ operation }, seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The store with every call timed into `telemetry` (same behaviour, same errors). */
export function timedStore<S extends Store>(store: S, telemetry: Pick<PrometheusTelemetry, 'storeSeconds'>): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const done = () => telemetry.storeSeconds(property, (performance.now() - started) / 1000);
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) return result.finally(done);
        done();
        return result;
      };
    },
  });
}
