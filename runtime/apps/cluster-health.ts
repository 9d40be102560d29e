/**
 * The health of every cluster, probed in the background and kept for the clusters API: a request
 * never waits on a slow or unreachable cluster.
 */
import type { ClusterHealth } from '../domain/cluster';
import type { Clock, Logger } from '../domain/ports';
import type { ClusterProbeFn } from './cluster-backends';

export class ClusterHealthMonitor {
  private readonly latest = new Map<string, ClusterHealth>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** The clusters to probe now: the set changes as clusters are created and deleted. */
    private readonly probes: () => [string, ClusterProbeFn][],
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      intervalMs?: number;
      /** Called when a cluster's state differs from its last probe's (or on its first). @default none */
      onStateChange?: (clusterId: string, health: ClusterHealth) => Promise<void>;
    },
  ) {}

  /** Probes every cluster once, now. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.probes().map(async ([clusterId, probe]) => {
        const before = this.latest.get(clusterId)?.state;
        try {
          this.latest.set(clusterId, await probe());
        } catch (error) {
          const previous = this.latest.get(clusterId);
          this.latest.set(clusterId, {
            state: 'UNREACHABLE',
            ...(previous?.lastHeartbeat ? { lastHeartbeat: previous.lastHeartbeat } : {}),
            reason: (error as Error).message,
          });
          this.deps.logger.warn({ clusterId, err: error }, 'cluster probe failed');
        }
        const health = this.latest.get(clusterId)!;
        if (health.state === before || !this.deps.onStateChange) return;
        await this.deps
          .onStateChange(clusterId, health)
          .catch((error: unknown) =>
            this.deps.logger.warn(
              { clusterId, err: error },
              "could not record a cluster's state change on its applications",
            ),
          );
      }),
    );
  }

  /** Probes now and then every intervalMs (@default 30000). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get(clusterId: string): ClusterHealth | undefined {
    return this.latest.get(clusterId);
  }

  /** Forgets a deleted cluster's last health. */
  forget(clusterId: string): void {
    this.latest.delete(clusterId);
  }
}
