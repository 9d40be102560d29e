/**
 * The admission rules, in the order they are asked: the first that holds an application back
 * gives its reason. Each is small and tested on its own (rules.test.ts); the planner only walks
 * the list.
 */
import { cores, exceeded, memory, neverWithin } from './describe';
import type { Candidate, ClusterLedger } from './ledger';
import type { Verdict } from './types';

export interface AdmissionRule {
  readonly name: string;
  /** undefined: this rule lets the application through. */
  check(app: Candidate, ledger: ClusterLedger): Verdict | undefined;
}

/** A job with concurrency Forbid runs one application at a time: the others wait, in order. */
export const concurrencyPolicy: AdmissionRule = {
  name: 'concurrency',
  check(app, ledger) {
    if (app.concurrency !== 'Forbid') return undefined;
    const active = ledger.activeRunOf(app.jobId);
    if (active !== undefined) return { reason: `job ${app.jobId}: concurrency Forbid, run ${active} active` };
    const waiting = ledger.waitingRunOf(app.jobId);
    if (waiting !== undefined) return { reason: `job ${app.jobId}: concurrency Forbid, run ${waiting} queued ahead` };
    return undefined;
  },
};

/** The cluster's own quota of concurrent applications, cores and memory. */
export const clusterQuota: AdmissionRule = {
  name: 'cluster-quota',
  check(app, ledger) {
    const limits = ledger.cluster.quota;
    if (!limits) return undefined;
    const label = `quota cluster ${ledger.cluster.id}`;
    const need = app.total;
    const never = neverWithin(label, limits, need);
    if (never) return { reason: never, never: true };
    const reason = exceeded(label, limits, ledger.used, need);
    return reason === undefined ? undefined : { reason };
  },
};

/** The team's quota on the cluster (its own, else the cluster's quota for every team). */
export const teamQuota: AdmissionRule = {
  name: 'team-quota',
  check(app, ledger) {
    const limits = ledger.teamLimits(app.team);
    if (!limits) return undefined;
    const label = `quota ${app.team === '' ? '(no team)' : app.team}`;
    const need = app.total;
    const never = neverWithin(label, limits, need);
    if (never) return { reason: never, never: true };
    const reason = exceeded(label, limits, ledger.teamUsage(app.team), need);
    return reason === undefined ? undefined : { reason };
  },
};

/**
 * Strict order for room: once an application waits for room, the later ones of the cluster wait
 * behind it, even those that would fit, so that small applications cannot starve a large one.
 * Asked after capacity, so that what can never fit is rejected at once rather than queued; quotas
 * and the concurrency policy hold an application without holding the others.
 */
export const headOfLine: AdmissionRule = {
  name: 'head-of-line',
  check(_app, ledger) {
    const { blockedBy } = ledger;
    if (blockedBy === undefined) return undefined;
    // blockedBy is set once a plan: every application behind it gets the same verdict, made once
    return ledger.memo(headOfLine.name, () => ({
      reason: `${ledger.label}: queued behind ${blockedBy}, which waits for room`,
    }));
  },
};

/** Gang admission: the driver and every initial executor must get room at once, in total and on the nodes. */
export const capacity: AdmissionRule = {
  name: 'capacity',
  check(app, ledger) {
    const { cluster, used, label } = ledger;
    const need = app.total;
    if (cluster.capacity) {
      const never = neverWithin(label, cluster.capacity, need);
      if (never) return { reason: never, never: true };
      const limits = cluster.capacity;
      if (used.cores + need.cores > limits.cores || used.memoryMiB + need.memoryMiB > limits.memoryMiB) {
        return ledger.memo(`capacity ${need.cores} ${need.memoryMiB}`, () => ({
          reason: exceeded(label, limits, used, need)!,
          blocks: true,
        }));
      }
    }
    if (!ledger.fitsOnNodes(app)) {
      const { driver, executors } = app.demand;
      return {
        reason: `${label}: no room on its nodes for the driver (${cores(driver.cores)} cores, ${memory(driver.memoryMiB)}) and ${executors.count} executors (${cores(executors.each.cores)} cores, ${memory(executors.each.memoryMiB)} each) at once`,
        blocks: true,
      };
    }
    return undefined;
  },
};

/** The rules in the order they are asked. */
export const ADMISSION_RULES: readonly AdmissionRule[] = [
  concurrencyPolicy,
  clusterQuota,
  teamQuota,
  capacity,
  headOfLine,
];
