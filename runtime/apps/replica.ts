/**
 * More than one runtime replica on one database (PostgreSQL; SQLite serves a single replica).
 *
 * Ownership lives in the store, so it works with every back-end: each application row names the
 * replica that acts on it (submits it, times it out), set when that replica commits it. A replica
 * is alive while its heartbeat, written every `heartbeatIntervalMs`, is younger than
 * `leaseSeconds`. Every tick a replica also claims the active applications that have no owner
 * or whose owner went silent, one atomic UPDATE per batch (FOR UPDATE SKIP LOCKED on PostgreSQL,
 * so two replicas never claim the same one), and settles each like the start-up reconcile: NEW
 * and never handed over is submitted (back-ends are idempotent by application id, so a
 * submission the dead replica had half done is not doubled), the others are asked their state.
 * A killed replica's applications are thus taken over within leaseSeconds + one interval.
 *
 * What stays shared: status reports from the back-end are applied by whichever replica sees them
 * first, as compare-and-set writes, so a change is applied once; a kill is served by the replica
 * the request reaches. A clean shutdown releases the replica's applications at once.
 *
 * Clocks: heartbeats are compared with the claiming replica's clock, so replicas' clocks must
 * agree to well within leaseSeconds (NTP). A replica stalled for longer than its lease may act
 * once more on an application another replica took over; back-ends' idempotent submission keeps
 * that from running it twice.
 */
export interface ReplicaOptions {
  /** Unique among the replicas sharing the database, stable for the life of the process. */
  id: string;
  /** A replica whose heartbeat is older than this is presumed dead and its applications are taken over. @default 30 */
  leaseSeconds?: number;
  /** How often the replica heartbeats and looks for applications to take over, ms. @default 5000 */
  heartbeatIntervalMs?: number;
  /** Most applications taken over by one claim. @default 100 */
  claimBatch?: number;
}

export const DEFAULT_LEASE_SECONDS = 30;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
export const DEFAULT_CLAIM_BATCH = 100;
