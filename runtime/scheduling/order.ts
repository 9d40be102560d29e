/**
 * The admission order of the queue: higher (aged) priority first; within one priority, fair share
 * weighted by resources (dominant resource fairness), teams first and, within a team, jobs; first
 * come first served within a job.
 *
 * A group's (team's, job's) share is its dominant share on the cluster: the larger of its cores
 * and its memory, each as a fraction of the cluster's (its capacity, else its quota, else all the
 * demand on it: see shareBasis). An application is ordered by the share its group holds before it:
 * what the group runs plus the group's applications queued ahead of it in its band. Sorting by that
 * is progressive filling: each next place goes to the group that holds the least, so a group that
 * runs one 32-core application waits behind one that runs two 1-core applications.
 *
 * The bound (planner.property.test.ts): of another group, the applications ahead of one in the
 * same band, with what that group runs, hold at most its own group's share before it plus one
 * application of theirs, in dominant share; a group that holds nothing is behind at most one
 * application of each other group, however long their bursts.
 */
import { totalOf } from './demand';
import type { PlanApp, PlanInput, Resources } from './types';

export interface Ordered {
  app: PlanApp;
  /** Its priority plus one level per `agingSeconds` waited. */
  effectivePriority: number;
  /** The dominant share its job (within its team) holds on the cluster before it: its runs and those queued ahead of it (same priority). */
  jobShare: number;
  /** Likewise for its team, counting the team's queue in job-share order. */
  teamShare: number;
}

/** Ageing stops here, so that the numeric keys below stay exact. */
const MAX_AGING_LEVELS = 1_000_000;
const PRIORITY_OFFSET = 2_000_000;

/**
 * What shares on a cluster are shares of: each of cores and memory from its capacity, else from
 * its quota, else the demand of all its applications (running and queued) together.
 */
export function shareBasis(input: PlanInput): Map<string, Resources> {
  const demand = new Map<string, Resources>();
  for (const app of [...input.running, ...input.queued]) {
    const total = totalOf(app.demand);
    const sum = demand.get(app.clusterId) ?? { cores: 0, memoryMiB: 0 };
    demand.set(app.clusterId, { cores: sum.cores + total.cores, memoryMiB: sum.memoryMiB + total.memoryMiB });
  }
  const basis = new Map<string, Resources>();
  for (const [clusterId, sum] of demand) basis.set(clusterId, sum);
  for (const cluster of input.clusters) {
    const sum = demand.get(cluster.id) ?? { cores: 0, memoryMiB: 0 };
    basis.set(cluster.id, {
      cores: cluster.capacity?.cores ?? cluster.quota?.cores ?? sum.cores,
      memoryMiB: cluster.capacity?.memoryMiB ?? cluster.quota?.memoryMiB ?? sum.memoryMiB,
    });
  }
  return basis;
}

/** The dominant share of `cores` and `memoryMiB` in `basis` (a resource the basis lacks counts nothing). */
export function dominantShare(cores: number, memoryMiB: number, basis: Resources): number {
  return Math.max(basis.cores > 0 ? cores / basis.cores : 0, basis.memoryMiB > 0 ? memoryMiB / basis.memoryMiB : 0);
}

/** The queue in admission order; the result does not depend on the order of the input's lists. */
export function admissionOrder(input: PlanInput, agingSeconds: number): Ordered[] {
  const { queued, running, nowMs } = input;
  const n = queued.length;
  const basis = shareBasis(input);
  // numbers for the (cluster, team, job) and (cluster, team) groups: the sorts and sums below use numbers only
  const jobs = new Groups(basis);
  const teams = new Groups(basis);
  for (const app of running) {
    const total = totalOf(app.demand);
    jobs.addRunning(jobs.of(app.clusterId, jobInTeam(app)), total);
    teams.addRunning(teams.of(app.clusterId, app.team), total);
  }
  const job = new Float64Array(n);
  const team = new Float64Array(n);
  const cores = new Float64Array(n);
  const memory = new Float64Array(n);
  const priority = new Float64Array(n);
  const jobShare = new Float64Array(n);
  const teamShare = new Float64Array(n);
  const rank = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const app = queued[i]!;
    job[i] = jobs.of(app.clusterId, jobInTeam(app));
    team[i] = teams.of(app.clusterId, app.team);
    const total = totalOf(app.demand);
    cores[i] = total.cores;
    memory[i] = total.memoryMiB;
    priority[i] = app.priority + agingLevels(app.createdAtMs, nowMs, agingSeconds);
  }
  const index = Array.from({ length: n }, (_, i) => i);
  // first come first served; the id breaks ties, so the order is total
  index.sort((a, b) => queued[a]!.createdAtMs - queued[b]!.createdAtMs || compareIds(queued[a]!.id, queued[b]!.id));

  // shares are summed within one priority band (and one cluster: the pairs name it), in arrival order
  jobs.sharesBefore(index, job, priority, cores, memory, jobShare);
  index.forEach((i, r) => (rank[i] = r));
  index.sort((a, b) => jobShare[a]! - jobShare[b]! || rank[a]! - rank[b]!);
  teams.sharesBefore(index, team, priority, cores, memory, teamShare);
  // by team share, then job share and arrival, which is the rank in the order so far
  index.forEach((i, r) => (rank[i] = r));
  index.sort((a, b) => priority[b]! - priority[a]! || teamShare[a]! - teamShare[b]! || rank[a]! - rank[b]!);
  return index.map((i) => ({
    app: queued[i]!,
    effectivePriority: priority[i]!,
    jobShare: jobShare[i]!,
    teamShare: teamShare[i]!,
  }));
}

/** Groups of one kind (jobs or teams) per cluster: their numbers, what they run, their cluster's basis. */
class Groups {
  private readonly byCluster = new Map<string, Map<string, number>>();
  private readonly basisOf: Resources[] = [];
  private readonly runningCores: number[] = [];
  private readonly runningMemory: number[] = [];

  constructor(private readonly basis: Map<string, Resources>) {}

  get size(): number {
    return this.basisOf.length;
  }

  of(clusterId: string, name: string): number {
    let names = this.byCluster.get(clusterId);
    if (!names) this.byCluster.set(clusterId, (names = new Map()));
    let id = names.get(name);
    if (id === undefined) {
      names.set(name, (id = this.basisOf.length));
      this.basisOf.push(this.basis.get(clusterId) ?? { cores: 0, memoryMiB: 0 });
      this.runningCores.push(0);
      this.runningMemory.push(0);
    }
    return id;
  }

  addRunning(group: number, total: Resources): void {
    this.runningCores[group]! += total.cores;
    this.runningMemory[group]! += total.memoryMiB;
  }

  /** Each application's group share before it, in its band, visiting them in `index` order. */
  sharesBefore(
    index: readonly number[],
    group: Float64Array,
    priority: Float64Array,
    cores: Float64Array,
    memory: Float64Array,
    out: Float64Array,
  ): void {
    const groups = this.size;
    // per (band, group): what its applications visited so far hold
    const slots = new Map<number, number>();
    const heldCores: number[] = [];
    const heldMemory: number[] = [];
    for (const i of index) {
      const g = group[i]!;
      const key = (priority[i]! + PRIORITY_OFFSET) * groups + g;
      let slot = slots.get(key);
      if (slot === undefined) {
        slots.set(key, (slot = heldCores.length));
        heldCores.push(this.runningCores[g]!);
        heldMemory.push(this.runningMemory[g]!);
      }
      out[i] = dominantShare(heldCores[slot]!, heldMemory[slot]!, this.basisOf[g]!);
      heldCores[slot]! += cores[i]!;
      heldMemory[slot]! += memory[i]!;
    }
  }
}

/** A job's share is counted within its team (a job whose runs carry two teams is two groups). */
function jobInTeam(app: PlanApp): string {
  return `${app.team}\u0000${app.jobId}`;
}

function agingLevels(createdAtMs: number, nowMs: number, agingSeconds: number): number {
  if (agingSeconds <= 0) return 0;
  return Math.min(MAX_AGING_LEVELS, Math.floor(Math.max(0, nowMs - createdAtMs) / (agingSeconds * 1000)));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
