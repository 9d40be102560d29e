/**
 * The planner's input and output. Plain data, built by the service from its store and back-ends:
 * the planner never reads anything else, so the same input always gives the same plan.
 */

import type { Demand, Resources } from '../domain/admission';

export type { Demand, Resources };

/** Concurrent applications, cores and memory; each absent field is unlimited. */
export interface Limits {
  applications?: number;
  cores?: number;
  memoryMiB?: number;
}

/** An application, queued or running, as the planner sees it. */
export interface PlanApp {
  id: string;
  clusterId: string;
  jobId: string;
  /** For team quotas and fair share: its `team` label, else who submitted it; "" when neither. */
  team: string;
  /** Higher first (ApplicationConfig.priority). */
  priority: number;
  /** When it was submitted, ms since the epoch: first come first served within a priority. */
  createdAtMs: number;
  demand: Demand;
  /** The job's concurrency policy: Forbid admits no run while another of the job is running. */
  concurrency: 'Allow' | 'Forbid' | 'Replace';
}

/** A cluster's room and quotas. */
export interface PlanCluster {
  id: string;
  /** What it holds at once; absent: unlimited (a Kubernetes cluster without declared autoscaler limits). */
  capacity?: Resources;
  /**
   * The free room of each node, when the back-end knows its nodes: then every pod of a gang must
   * also fit on one node. @default absent: only the total capacity counts
   */
  nodes?: Resources[];
  /** The whole cluster's quota. @default none */
  quota?: Limits;
  /** Per team. @default none */
  teamQuotas?: Record<string, Limits>;
  /** Each team without its own entry in teamQuotas. @default none */
  defaultTeamQuota?: Limits;
}

export interface PlanInput {
  /** Waiting to start (PENDING, or NEW not yet handed over). */
  queued: readonly PlanApp[];
  /** Holding capacity now (handed to their back-end and not ended). */
  running: readonly PlanApp[];
  clusters: readonly PlanCluster[];
  /** The clock: how long each queued application has waited (priority ageing). */
  nowMs: number;
}

export interface PlanOptions {
  /**
   * A queued application gains one priority level per this many seconds waited, so that a steady
   * flow of higher-priority work cannot hold back a lower one for ever; 0 turns ageing off.
   * @default 600
   */
  agingSeconds?: number;
}

/** A queued application not admitted now, and why. */
export interface Held {
  id: string;
  /** A short human sentence, e.g. "cluster local: 2/2 cores in use, needs 1". */
  reason: string;
  /** The rule that held it back. */
  rule: string;
}

export interface Plan {
  /** To start now, in admission order. */
  admit: string[];
  /** Waiting, in admission order, each with its reason. */
  held: Held[];
  /** Can never start as declared (asks more than the cluster or a quota allows at all), with the reason. */
  rejected: Held[];
}

/** Why an application does not start now; `never` when it cannot start as declared at all. */
export interface Verdict {
  reason: string;
  never?: boolean;
  /** Holding it back for room: the applications after it on the cluster wait behind it. */
  blocks?: boolean;
}
