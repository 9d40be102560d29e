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
import { totalCores, totalMemoryMiB } from './demand';
import { RadixSorter } from './radix-sort';
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

/** Ageing stops here, so that priorities stay exact integers. */
const MAX_AGING_LEVELS = 1_000_000;

/**
 * What shares on a cluster are shares of: each of cores and memory from its capacity, else from
 * its quota, else the demand of all its applications (running and queued) together.
 */
export function shareBasis(input: PlanInput): Map<string, Resources> {
  const demand = new Map<string, Resources>();
  const addDemand = (apps: readonly PlanApp[]) => {
    for (const app of apps) {
      let sum = demand.get(app.clusterId);
      if (!sum) demand.set(app.clusterId, (sum = { cores: 0, memoryMiB: 0 }));
      sum.cores += totalCores(app.demand);
      sum.memoryMiB += totalMemoryMiB(app.demand);
    }
  };
  addDemand(input.running);
  addDemand(input.queued);
  const basis = new Map<string, Resources>(demand);
  for (const cluster of input.clusters) {
    const sum = demand.get(cluster.id);
    basis.set(cluster.id, {
      cores: cluster.capacity?.cores ?? cluster.quota?.cores ?? sum?.cores ?? 0,
      memoryMiB: cluster.capacity?.memoryMiB ?? cluster.quota?.memoryMiB ?? sum?.memoryMiB ?? 0,
    });
  }
  return basis;
}

/** The dominant share of `cores` and `memoryMiB` in `basis` (a resource the basis lacks counts nothing). */
export function dominantShare(cores: number, memoryMiB: number, basis: Resources): number {
  return Math.max(basis.cores > 0 ? cores / basis.cores : 0, basis.memoryMiB > 0 ? memoryMiB / basis.memoryMiB : 0);
}

/** The queue in admission order, as positions in `queued`, with the numbers the order was made from. */
export interface AdmissionIndex {
  /** Positions in `input.queued`, in admission order. */
  order: Int32Array;
  /** Per position in `input.queued`: what its gang needs in all. */
  cores: Float64Array;
  memoryMiB: Float64Array;
  /** Per position in `input.queued`: see Ordered. */
  effectivePriority: Float64Array;
  jobShare: Float64Array;
  teamShare: Float64Array;
}

/** The queue in admission order; the result does not depend on the order of the input's lists. */
export function admissionOrder(input: PlanInput, agingSeconds: number): Ordered[] {
  const { order, effectivePriority, jobShare, teamShare } = admissionIndex(input, agingSeconds);
  return Array.from(order, (i) => ({
    app: input.queued[i]!,
    effectivePriority: effectivePriority[i]!,
    jobShare: jobShare[i]!,
    teamShare: teamShare[i]!,
  }));
}

/**
 * admissionOrder as numbers, for the planner: each application is read once, in input order, into
 * typed arrays; the sorts are stable radix sorts of those (each linear), so that a plan's work is
 * linear but for the ties of arrival times.
 */
export function admissionIndex(input: PlanInput, agingSeconds: number): AdmissionIndex {
  const { queued, running, nowMs } = input;
  const n = queued.length;
  const basis = shareBasis(input);
  const jobs = new Groups(basis);
  const teams = new Groups(basis);
  for (const app of running) {
    const cores = totalCores(app.demand);
    const memoryMiB = totalMemoryMiB(app.demand);
    jobs.addRunning(jobs.of(app.clusterId, app.team, app.jobId), cores, memoryMiB);
    teams.addRunning(teams.of(app.clusterId, app.team), cores, memoryMiB);
  }
  const job = new Int32Array(n);
  const team = new Int32Array(n);
  const cores = new Float64Array(n);
  const memoryMiB = new Float64Array(n);
  const createdAt = new Float64Array(n);
  const priority = new Float64Array(n);
  const jobShare = new Float64Array(n);
  const teamShare = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const app = queued[i]!;
    job[i] = jobs.of(app.clusterId, app.team, app.jobId);
    team[i] = teams.of(app.clusterId, app.team);
    cores[i] = totalCores(app.demand);
    memoryMiB[i] = totalMemoryMiB(app.demand);
    createdAt[i] = app.createdAtMs;
    priority[i] = app.priority + agingLevels(app.createdAtMs, nowMs, agingSeconds);
    order[i] = i;
  }
  const sorter = new RadixSorter(n);
  // first come first served; the id breaks ties, so the order is total
  sorter.sort(order, createdAt);
  breakTiesById(order, createdAt, queued);
  // shares are summed within one priority band (and one cluster: the groups name it), in arrival
  // order: sorted by band first (stable), each band's applications are contiguous
  sorter.sort(order, priority, true);
  jobs.sharesBefore(order, job, priority, cores, memoryMiB, jobShare);
  // within a band: by job share, then arrival
  sorter.sort(order, jobShare);
  sorter.sort(order, priority, true);
  teams.sharesBefore(order, team, priority, cores, memoryMiB, teamShare);
  // within a band: by team share, then job share and arrival, which is the order so far
  sorter.sort(order, teamShare);
  sorter.sort(order, priority, true);
  return { order, cores, memoryMiB, effectivePriority: priority, jobShare, teamShare };
}

/** Orders each run of equal arrival times by id (rare: arrival times are milliseconds). */
function breakTiesById(order: Int32Array, createdAt: Float64Array, queued: readonly PlanApp[]): void {
  const n = order.length;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && createdAt[order[end]!] === createdAt[order[start]!]) end++;
    if (end - start > 1) {
      order.subarray(start, end).sort((a, b) => compareIds(queued[a]!.id, queued[b]!.id));
    }
    start = end;
  }
}

/** Groups of one kind (jobs or teams) per cluster: their numbers, what they run, their cluster's basis. */
class Groups {
  /** cluster, then team, then job (absent for teams): names to numbers without building keys */
  private readonly byCluster = new Map<string, Map<string, Map<string, number> | number>>();
  private readonly basisCores: number[] = [];
  private readonly basisMemory: number[] = [];
  private readonly runningCores: number[] = [];
  private readonly runningMemory: number[] = [];

  constructor(private readonly basis: Map<string, Resources>) {}

  get size(): number {
    return this.basisCores.length;
  }

  /** The group of a team on a cluster, or of a job within its team (a job whose runs carry two teams is two groups). */
  of(clusterId: string, team: string, jobId?: string): number {
    let teams = this.byCluster.get(clusterId);
    if (!teams) this.byCluster.set(clusterId, (teams = new Map()));
    if (jobId === undefined) return (teams.get(team) as number | undefined) ?? this.add(teams, team, clusterId);
    let jobs = teams.get(team) as Map<string, number> | undefined;
    if (!jobs) teams.set(team, (jobs = new Map()));
    return jobs.get(jobId) ?? this.add(jobs, jobId, clusterId);
  }

  addRunning(group: number, cores: number, memoryMiB: number): void {
    this.runningCores[group]! += cores;
    this.runningMemory[group]! += memoryMiB;
  }

  /**
   * Each application's group share before it, in its band, visiting them in `order` order, where
   * each band's applications are contiguous.
   */
  sharesBefore(
    order: Int32Array,
    group: Int32Array,
    priority: Float64Array,
    cores: Float64Array,
    memoryMiB: Float64Array,
    out: Float64Array,
  ): void {
    // per group: what its applications visited so far in the current band hold
    const heldCores = new Float64Array(this.size);
    const heldMemory = new Float64Array(this.size);
    const bandOf = new Int32Array(this.size).fill(-1);
    let band = -1;
    for (let p = 0; p < order.length; p++) {
      const i = order[p]!;
      if (p === 0 || priority[i] !== priority[order[p - 1]!]) band++;
      const g = group[i]!;
      if (bandOf[g] !== band) {
        bandOf[g] = band;
        heldCores[g] = this.runningCores[g]!;
        heldMemory[g] = this.runningMemory[g]!;
      }
      const basisCores = this.basisCores[g]!;
      const basisMemory = this.basisMemory[g]!;
      out[i] = Math.max(
        basisCores > 0 ? heldCores[g]! / basisCores : 0,
        basisMemory > 0 ? heldMemory[g]! / basisMemory : 0,
      );
      heldCores[g]! += cores[i]!;
      heldMemory[g]! += memoryMiB[i]!;
    }
  }

  private add<T>(names: Map<string, T | number>, name: string, clusterId: string): number {
    const id = this.basisCores.length;
    names.set(name, id);
    const basis = this.basis.get(clusterId);
    this.basisCores.push(basis?.cores ?? 0);
    this.basisMemory.push(basis?.memoryMiB ?? 0);
    this.runningCores.push(0);
    this.runningMemory.push(0);
    return id;
  }
}

function agingLevels(createdAtMs: number, nowMs: number, agingSeconds: number): number {
  if (agingSeconds <= 0) return 0;
  return Math.min(MAX_AGING_LEVELS, Math.floor(Math.max(0, nowMs - createdAtMs) / (agingSeconds * 1000)));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
