/**
 * Whether the runtime can take work, and if not, why: each check names what stops it (the store
 * cannot write, a disk is full or read-only, reconciliation is not done). /readyz serves the reasons.
 */
import type { StoreFault } from '../adapters/store/store-faults';

/** A reason the runtime is not ready, or undefined. */
export type ReadinessCheck = () => Promise<string | undefined>;

/** Every check's reason; none: ready. A check that throws is a reason too (the store cannot read...). */
export async function readinessReasons(checks: ReadinessCheck[]): Promise<string[]> {
  const reasons = await Promise.all(
    checks.map((check) =>
      check().catch((error: unknown) =>
        error instanceof Error ? error.message : `a readiness check failed: ${String(error)}`,
      ),
    ),
  );
  return reasons.filter((reason): reason is string => reason !== undefined);
}

/** How long a failed write keeps the runtime not ready when no write has landed since. */
const STORE_FAULT_MEMORY_MS = 30_000;

/**
 * The store's last write failure, while no write has landed since and for 30 s at most: without
 * traffic nothing would clear it, and the disk and read checks still see a fault that lasts.
 */
export function storeFaultReason(fault: StoreFault | undefined, now: Date): string | undefined {
  if (!fault || now.getTime() - fault.at.getTime() > STORE_FAULT_MEMORY_MS) return undefined;
  return `the store's last write failed ${Math.round((now.getTime() - fault.at.getTime()) / 1000)} s ago: ${fault.cause}`;
}
