/**
 * Whether the runtime can take work, and if not, why: each check names what stops it (the store
 * cannot write, a disk is full or read-only, reconciliation is not done). /readyz serves the reasons.
 */

/** A reason the runtime is not ready, or undefined. */
export type ReadinessCheck = () => Promise<string | undefined>;

/** Every check's reason; none: ready. A check that throws is a reason too. */
export async function readinessReasons(checks: ReadinessCheck[]): Promise<string[]> {
  const reasons = await Promise.all(
    checks.map((check) => check().catch((error: unknown) => `a readiness check failed: ${String(error)}`)),
  );
  return reasons.filter((reason): reason is string => reason !== undefined);
}
