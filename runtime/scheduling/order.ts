/**
 * The admission order of the queue: higher (aged) priority first; within one priority, fair share
 * by turns, teams taking turns and, within a team, jobs taking turns; first come first served
 * within a job. An application's turn counts what its job (or team) already runs on the cluster,
 * so a job that holds much waits behind one that holds little, and a burst of one job delays
 * another job's application by at most one turn per other job and team, however long the burst.
 */
import type { PlanApp } from './types';

export interface Ordered {
  app: PlanApp;
  /** Its priority plus one level per `agingSeconds` waited. */
  effectivePriority: number;
  /** Applications its job runs on the cluster plus those of the job queued ahead of it (same priority). */
  jobTurn: number;
  /** Likewise for its team, counting the team's queue in job-turn order. */
  teamTurn: number;
}

/** Ageing stops here, so that the numeric keys below stay exact. */
const MAX_AGING_LEVELS = 1_000_000;
const PRIORITY_OFFSET = 2_000_000;

/** The queue in admission order; the result does not depend on the order of the input. */
export function admissionOrder(
  queued: readonly PlanApp[],
  running: readonly PlanApp[],
  nowMs: number,
  agingSeconds: number,
): Ordered[] {
  const n = queued.length;
  // numbers for the (cluster, job) and (cluster, team) pairs: the sorts and counts below compare numbers only
  const jobIds = new PairIds();
  const teamIds = new PairIds();
  const runningJobs = new Map<number, number>();
  const runningTeams = new Map<number, number>();
  for (const app of running) {
    const job = jobIds.of(app.clusterId, app.jobId);
    const team = teamIds.of(app.clusterId, app.team);
    runningJobs.set(job, (runningJobs.get(job) ?? 0) + 1);
    runningTeams.set(team, (runningTeams.get(team) ?? 0) + 1);
  }
  const job = new Float64Array(n);
  const team = new Float64Array(n);
  const priority = new Float64Array(n);
  const jobTurn = new Float64Array(n);
  const teamTurn = new Float64Array(n);
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const app = queued[i]!;
    job[i] = jobIds.of(app.clusterId, app.jobId);
    team[i] = teamIds.of(app.clusterId, app.team);
    priority[i] = app.priority + agingLevels(app.createdAtMs, nowMs, agingSeconds);
  }
  const index = Array.from({ length: n }, (_, i) => i);
  // first come first served; the id breaks ties, so the order is total
  index.sort((a, b) => queued[a]!.createdAtMs - queued[b]!.createdAtMs || compareIds(queued[a]!.id, queued[b]!.id));

  // turns are counted within one priority band (and one cluster: the pairs name it), in arrival order
  countTurns(index, job, priority, jobIds.size, runningJobs, jobTurn);
  // by job turn, then arrival (the rank in the order so far): one number, exact below 2^53
  index.forEach((i, rank) => (key[i] = jobTurn[i]! * n + rank));
  index.sort((a, b) => key[a]! - key[b]!);
  countTurns(index, team, priority, teamIds.size, runningTeams, teamTurn);
  // by team turn, then job turn and arrival, which is the rank in the order so far
  index.forEach((i, rank) => (key[i] = teamTurn[i]! * n + rank));
  index.sort((a, b) => priority[b]! - priority[a]! || key[a]! - key[b]!);
  return index.map((i) => ({
    app: queued[i]!,
    effectivePriority: priority[i]!,
    jobTurn: jobTurn[i]!,
    teamTurn: teamTurn[i]!,
  }));
}

/** Small numbers for (cluster, name) pairs, without building a key string per application. */
class PairIds {
  private readonly byCluster = new Map<string, Map<string, number>>();
  size = 0;

  of(clusterId: string, name: string): number {
    let names = this.byCluster.get(clusterId);
    if (!names) this.byCluster.set(clusterId, (names = new Map()));
    let id = names.get(name);
    if (id === undefined) names.set(name, (id = this.size++));
    return id;
  }
}

/** Each application's turn in its group and band, visiting them in `index` order. */
function countTurns(
  index: readonly number[],
  group: Float64Array,
  priority: Float64Array,
  groups: number,
  runningOf: Map<number, number>,
  turn: Float64Array,
): void {
  const seen = new Map<number, number>();
  for (const i of index) {
    const key = (priority[i]! + PRIORITY_OFFSET) * groups + group[i]!;
    const ahead = seen.get(key) ?? 0;
    seen.set(key, ahead + 1);
    turn[i] = (runningOf.get(group[i]!) ?? 0) + ahead;
  }
}

function agingLevels(createdAtMs: number, nowMs: number, agingSeconds: number): number {
  if (agingSeconds <= 0) return 0;
  return Math.min(MAX_AGING_LEVELS, Math.floor(Math.max(0, nowMs - createdAtMs) / (agingSeconds * 1000)));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
