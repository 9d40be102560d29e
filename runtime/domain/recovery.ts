/**
 * What recovery records on an application: why it failed, as the retries and the tuner read it,
 * and the memory out-of-memory recovery gave it.
 */
import { z } from 'zod';
import { MemoryQuantity } from './config';

/**
 * Why a FAILED application failed, classified:
 * - submission: its back-end refused it (it never ran);
 * - outOfMemory: its driver or an executor was killed for memory (exit 137, OOMKilled,
 *   java.lang.OutOfMemoryError);
 * - spotInterruption: executors or the driver lost to node removal or decommission (the
 *   application is not to blame: no memory change, nothing for the tuner);
 * - application: anything else (its code, its data).
 */
export const FailureKind = z.enum(['submission', 'outOfMemory', 'spotInterruption', 'application']);
export type FailureKind = z.infer<typeof FailureKind>;

export const FailureCause = z
  .strictObject({
    kind: FailureKind,
    /** The pod (or JVM) that failed, when the evidence says. */
    component: z.enum(['driver', 'executor']).optional(),
    /** The line that shows it, and where it was read (reason, driver log, Kubernetes event, event log). */
    evidence: z.string(),
  })
  .meta({ id: 'FailureCause' });
export type FailureCause = z.infer<typeof FailureCause>;

/**
 * Memory that out-of-memory recovery (executor.strategy oomRecovery) set on this application, above
 * what its config layers asked for: its values are in `config`, this says why.
 */
export const MemoryRecovery = z
  .strictObject({
    driverMemory: MemoryQuantity.optional(),
    executorMemory: MemoryQuantity.optional(),
    /** e.g. "executor memory 1024m -> 2048m: nightly-1 ran out of memory (...)". */
    reason: z.string(),
    /** The application whose out-of-memory failure first asked for it. */
    fromAppId: z.string(),
  })
  .meta({ id: 'MemoryRecovery' });
export type MemoryRecovery = z.infer<typeof MemoryRecovery>;
