/**
 * What one cluster holds while a plan is made: its running applications, then each one the plan
 * admits, in total, per team, on its nodes, and per job for the concurrency policy.
 */
import { NodeRoom } from './nodes';
import { totalOf } from './demand';
import type { Demand, Limits, PlanApp, PlanCluster, Resources } from './types';

/** A queued application with what its gang needs, worked out once for all the rules. */
export class Candidate implements PlanApp {
  readonly id: string;
  readonly clusterId: string;
  readonly jobId: string;
  readonly team: string;
  readonly priority: number;
  readonly createdAtMs: number;
  readonly demand: Demand;
  readonly concurrency: PlanApp['concurrency'];
  readonly total: Resources;
  private podList: Resources[] | undefined;

  // the fields copied one by one (not spread): this runs for every queued application of every plan
  constructor(app: PlanApp) {
    this.id = app.id;
    this.clusterId = app.clusterId;
    this.jobId = app.jobId;
    this.team = app.team;
    this.priority = app.priority;
    this.createdAtMs = app.createdAtMs;
    this.demand = app.demand;
    this.concurrency = app.concurrency;
    this.total = totalOf(app.demand);
  }

  /** The pods of the gang, largest first (made on first use: only clusters with known nodes need them). */
  pods(): readonly Resources[] {
    return (this.podList ??= podsOf(this));
  }
}

export interface Usage {
  applications: number;
  cores: number;
  memoryMiB: number;
}

export class ClusterLedger {
  readonly used: Usage = { applications: 0, cores: 0, memoryMiB: 0 };
  private readonly teams = new Map<string, Usage>();
  /** Per job, a run that runs now or was admitted by this plan. */
  private readonly activeRuns = new Map<string, string>();
  /** Per job with concurrency Forbid, the first of its runs this plan held back. */
  private readonly waitingRuns = new Map<string, string>();
  /** The free room of the nodes, when they are known. */
  readonly nodes: NodeRoom | undefined;
  /** The first application held back for room: those after it wait behind it. */
  blockedBy: string | undefined;

  constructor(readonly cluster: PlanCluster) {
    this.nodes = cluster.nodes ? new NodeRoom(cluster.nodes) : undefined;
  }

  /** Counts a running application (already on its nodes: their free room excludes it). */
  addRunning(app: PlanApp): void {
    this.count(app, totalOf(app.demand));
    // the reason names the same run whatever the order of the input
    const named = this.activeRuns.get(app.jobId);
    if (named !== undefined && app.id < named) this.activeRuns.set(app.jobId, app.id);
  }

  /** Counts an admitted application, on the nodes it was placed on. */
  admit(app: Candidate): void {
    if (this.nodes && !this.nodes.placeAll(app.pods())) {
      throw new Error(`${app.id} was admitted without room on the nodes of cluster ${this.cluster.id}`);
    }
    this.count(app, app.total);
  }

  /** Notes a run held back, for the concurrency policy of its job. */
  hold(app: PlanApp): void {
    if (app.concurrency === 'Forbid' && !this.waitingRuns.has(app.jobId)) this.waitingRuns.set(app.jobId, app.id);
  }

  teamUsage(team: string): Usage {
    return this.teams.get(team) ?? { applications: 0, cores: 0, memoryMiB: 0 };
  }

  teamLimits(team: string): Limits | undefined {
    return this.cluster.teamQuotas?.[team] ?? this.cluster.defaultTeamQuota;
  }

  activeRunOf(jobId: string): string | undefined {
    return this.activeRuns.get(jobId);
  }

  waitingRunOf(jobId: string): string | undefined {
    return this.waitingRuns.get(jobId);
  }

  private count(app: PlanApp, total: Resources): void {
    add(this.used, total);
    const team = this.teamUsage(app.team);
    add(team, total);
    this.teams.set(app.team, team);
    if (!this.activeRuns.has(app.jobId)) this.activeRuns.set(app.jobId, app.id);
  }
}

function add(usage: Usage, total: Resources): void {
  usage.applications += 1;
  usage.cores += total.cores;
  usage.memoryMiB += total.memoryMiB;
}

/** The pods of the gang, largest first, so the big ones get the roomiest early nodes. */
export function podsOf(app: PlanApp): Resources[] {
  const { driver, executors } = app.demand;
  const pods: Resources[] = [driver];
  for (let i = 0; i < executors.count; i++) pods.push(executors.each);
  return pods.sort((a, b) => b.cores - a.cores || b.memoryMiB - a.memoryMiB);
}
