/**
 * Applications a cluster had already been handed when it went DEGRADED (on Kubernetes: its
 * spark-operator down, so nothing follows them) say so in their stateReason, withdrawn when the
 * cluster is back. Only reasons of this kind are replaced or withdrawn: a back-end's own stay.
 */
import type { ClusterHealth } from '../domain/cluster';
import type { Logger, Store } from '../domain/ports';
import type { AppState } from '../domain/states';

export const DEGRADED_REASON_PREFIX = 'the cluster is DEGRADED: ';
const HANDED_OVER: AppState[] = ['PENDING', 'RUNNING'];

export class DegradedReasons {
  constructor(private readonly deps: { store: Store; logger: Logger }) {}

  /** Marks (DEGRADED) or clears (any other state) the cluster's handed-over applications. */
  async apply(clusterId: string, health: ClusterHealth): Promise<void> {
    const reason =
      health.state === 'DEGRADED'
        ? `${DEGRADED_REASON_PREFIX}${health.reason ?? 'no reason given'}; what it reports of this application may lag until it is back`
        : undefined;
    let cursor: string | undefined;
    let changed = 0;
    do {
      const page = await this.deps.store.listApplications({ clusterId, states: HANDED_OVER }, 200, cursor);
      for (const app of page.items) {
        if (app.backendRef === undefined || app.stateReason === reason) continue;
        const ours = app.stateReason?.startsWith(DEGRADED_REASON_PREFIX) ?? false;
        if (reason !== undefined ? app.stateReason !== undefined && !ours : !ours) continue;
        // compare-and-set on its state: one that moved on meanwhile is left as it is
        const updated = await this.deps.store.updateApplication(app.id, { stateReason: reason ?? null }, [app.state]);
        if (updated) changed++;
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    if (changed > 0) {
      this.deps.logger.info(
        { clusterId, state: health.state, applications: changed },
        'cluster state recorded on its applications',
      );
    }
  }
}
