/**
 * Fails the applications stuck before their start (stuck-start.ts decides) instead of leaving
 * them to their time-out: the SparkApplication is deleted, so that it cannot start later, and the
 * application ends FAILED with the Kubernetes reason. Checked when a SparkApplication or its driver
 * pod changes, and every checkIntervalMs for the limits that only time crosses.
 */
import type { BackendStatus, Clock, Logger } from '../../domain/ports';
import type { KubernetesClusterSettings } from './cluster-settings';
import { DriverPods, type DriverPodsOptions } from './driver-pods';
import { describeApiError, type SparkOperatorClient } from './kube-client';
import { toBackendStatus } from './operator-states';
import type { SparkApplication } from './spark-application';
import type { StatusTracker } from './status-tracker';
import {
  lastWarningOf,
  queuedByScheduler,
  type StartingApplication,
  startingApplicationOf,
  stuckStartReason,
  type WarningEvent,
  withLastWarning,
} from './stuck-start';

export interface StuckStartsOptions {
  client: SparkOperatorClient;
  tracker: StatusTracker;
  settings: KubernetesClusterSettings;
  clock: Clock;
  logger: Logger;
  clusterId: string;
  watch: Omit<DriverPodsOptions, 'client' | 'labelSelector' | 'kind' | 'logger' | 'logFields' | 'onChange'>;
  checkIntervalMs: number;
}

export class StuckStarts {
  /** The SparkApplications that have not started, by application id. */
  private readonly starting = new Map<string, { name: string; application: StartingApplication }>();
  /** Deletions under way, so that a check meanwhile does not delete again. */
  private readonly deleting = new Set<string>();
  private readonly pods: DriverPods;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StuckStartsOptions) {
    this.pods = new DriverPods({
      ...options.watch,
      client: options.client,
      labelSelector: options.client.driverPodSelector,
      kind: 'driver pods',
      logger: options.logger,
      logFields: { clusterId: options.clusterId },
      onChange: (appId) => this.check(appId),
    });
  }

  /** A SparkApplication as its watch saw it; undefined: it is gone. */
  seen(appId: string, resource: SparkApplication | undefined): void {
    if (!resource || toBackendStatus(resource.status).state !== 'PENDING') {
      this.starting.delete(appId);
      return;
    }
    this.starting.set(appId, { name: resource.metadata.name, application: startingApplicationOf(resource) });
    this.check(appId);
  }

  /** A fresh list of the SparkApplications: those it lacks are gone. */
  listed(present: ReadonlySet<string>): void {
    for (const appId of [...this.starting.keys()]) if (!present.has(appId)) this.starting.delete(appId);
  }

  start(): void {
    if (this.timer) return;
    this.pods.start();
    this.timer = setInterval(() => {
      for (const appId of this.starting.keys()) this.check(appId);
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pods.stop();
  }

  private check(appId: string): void {
    const entry = this.starting.get(appId);
    if (!entry || this.deleting.has(appId)) return;
    const driverPod = this.pods.of(appId);
    // before the pods are listed, a missing pod says nothing
    if (!driverPod && !this.pods.listed) return;
    const { settings, clock } = this.options;
    const reason = stuckStartReason({
      application: entry.application,
      ...(driverPod ? { driverPod } : {}),
      nowMs: clock.now().getTime(),
      limits: settings.stuckStart,
      queuedByScheduler: queuedByScheduler(settings),
    });
    if (reason) void this.fail(appId, entry.name, driverPod?.name, reason);
  }

  private async fail(appId: string, name: string, podName: string | undefined, stuck: string): Promise<void> {
    const { client, tracker, logger, clusterId, clock } = this.options;
    this.deleting.add(appId);
    const reason = withLastWarning(stuck, await this.lastWarning(appId, name, podName));
    const failure: BackendStatus = { state: 'FAILED', reason, endedAt: clock.now().toISOString() };
    tracker.failRequested(appId, failure);
    try {
      await client.deleteApplication(name);
      this.starting.delete(appId);
      tracker.observe(appId, failure);
      logger.info({ clusterId, appId, reason }, 'a stuck start failed: its SparkApplication was deleted');
    } catch (error) {
      // still there: the next check tries again
      tracker.failFailed(appId);
      logger.warn({ clusterId, appId, err: describeApiError(error) }, 'deleting a stuck start failed');
    } finally {
      this.deleting.delete(appId);
    }
  }

  /** The last Warning event of the SparkApplication and its driver pod; undefined too when they cannot be listed (the failure goes on without). */
  private async lastWarning(
    appId: string,
    name: string,
    podName: string | undefined,
  ): Promise<WarningEvent | undefined> {
    const { client, logger, clusterId } = this.options;
    try {
      const lists = await Promise.all([name, ...(podName ? [podName] : [])].map((o) => client.listEvents(o)));
      return lastWarningOf(lists.flat());
    } catch (error) {
      logger.warn({ clusterId, appId, err: describeApiError(error) }, 'listing the events of a stuck start failed');
      return undefined;
    }
  }
}
