/**
 * What the kubernetes back-end has reported of each application, so that it reports changes only
 * and reads a vanished SparkApplication right (killed, deleted, or removed by its time to live
 * after it ended). Bounded for a service that runs for months: an application is tracked while it
 * runs (no more than the cluster runs at once); once its end has been delivered to the listeners,
 * which persist it, only a bounded set of recent ends is kept, so that the re-lists of resources
 * that linger until their time to live are not reported again. An end older than that set may be
 * reported twice, which the use cases ignore (an ended application stays ended).
 */
import type { BackendStatus } from '../../domain/ports';
import { isTerminal } from '../../domain/states';

export const DELETED_REASON = 'SparkApplication was deleted';

/** A Map that keeps its `limit` most recently set keys. */
class RecentMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key); // to the end of the insertion order
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export interface StatusTrackerOptions {
  /**
   * Ended applications remembered for deduplication (and kill requests awaiting their end, apart):
   * ideally more than end within a time to live, so that no re-list reports one again. @default 10000
   */
  recentLimit?: number;
}

export class StatusTracker {
  /** Last status delivered of each application that has not ended. */
  private readonly live = new Map<string, BackendStatus>();
  private readonly ended: RecentMap<BackendStatus>;
  /** Kills asked whose end has not been seen yet: the deletion they cause reads KILLED. */
  private readonly killing: RecentMap<true>;
  /** Deletions of stuck starts under way: the deletion they cause reads as the failure given. */
  private readonly failing = new Map<string, BackendStatus>();

  constructor(
    private readonly deliver: (appId: string, status: BackendStatus) => void,
    options: StatusTrackerOptions = {},
  ) {
    this.ended = new RecentMap(options.recentLimit ?? 10_000);
    this.killing = new RecentMap(options.recentLimit ?? 10_000);
  }

  /** What the cluster says of an application now: delivered when it is news. */
  observe(appId: string, status: BackendStatus): void {
    // an end is final (restartPolicy Never): later news of it is a replay or a late re-list
    if (this.ended.has(appId)) return;
    if (isTerminal(status.state)) {
      this.live.delete(appId);
      this.killing.delete(appId);
      this.failing.delete(appId);
      this.ended.set(appId, status);
      this.deliver(appId, status);
      return;
    }
    const last = this.live.get(appId);
    if (last && last.state === status.state && last.reason === status.reason) return;
    this.live.set(appId, status);
    this.deliver(appId, status);
  }

  /**
   * The application's SparkApplication is gone: KILLED when a kill was asked, the failure given
   * when a stuck start was deleted, else its own last status when that was an end (a time to live
   * removed it), else FAILED.
   */
  gone(appId: string, lastSeen?: BackendStatus): void {
    if (this.ended.has(appId)) return;
    const failure = this.failing.get(appId);
    if (this.killing.has(appId)) this.observe(appId, { state: 'KILLED' });
    else if (failure) this.observe(appId, failure);
    else if (lastSeen && isTerminal(lastSeen.state)) this.observe(appId, lastSeen);
    else this.observe(appId, { state: 'FAILED', reason: DELETED_REASON });
  }

  /** A fresh list of the cluster's SparkApplications: the running ones it lacks were deleted meanwhile. */
  listed(present: ReadonlySet<string>): void {
    for (const appId of [...this.live.keys()]) if (!present.has(appId)) this.gone(appId);
  }

  /** Asked before the delete, whose DELETED event may come before its answer. */
  killRequested(appId: string): void {
    if (!this.ended.has(appId)) this.killing.set(appId, true);
  }

  /** The delete failed: the application runs on, and a later deletion is not a kill. */
  killFailed(appId: string): void {
    this.killing.delete(appId);
  }

  /** Asked before deleting a stuck start, whose DELETED event may come before the delete's answer. */
  failRequested(appId: string, failure: BackendStatus): void {
    if (!this.ended.has(appId)) this.failing.set(appId, failure);
  }

  /** The delete failed: the application is still there, to be failed again. */
  failFailed(appId: string): void {
    this.failing.delete(appId);
  }

  /** The end of the application as this back-end knows it: KILLED when a kill was asked, else the end seen, if remembered. */
  endOf(appId: string): BackendStatus | undefined {
    if (this.killing.has(appId)) return { state: 'KILLED' };
    return this.ended.get(appId);
  }

  /** How many applications are remembered, per kind. */
  get size(): { live: number; ended: number; killing: number } {
    return { live: this.live.size, ended: this.ended.size, killing: this.killing.size };
  }
}
