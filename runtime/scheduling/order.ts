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

/** The queue in admission order; the result does not depend on the order of the input. */
export function admissionOrder(
  queued: readonly PlanApp[],
  running: readonly PlanApp[],
  nowMs: number,
  agingSeconds: number,
): Ordered[] {
  const runningJobs = countBy(running, (app) => `${app.clusterId}\u0000${app.jobId}`);
  const runningTeams = countBy(running, (app) => `${app.clusterId}\u0000${app.team}`);
  const items: Ordered[] = queued.map((app) => ({
    app,
    effectivePriority: app.priority + agingLevels(app.createdAtMs, nowMs, agingSeconds),
    jobTurn: 0,
    teamTurn: 0,
  }));
  items.sort(byArrival);
  // turns are counted within one cluster and one priority band, in arrival order
  const jobSeen = new Map<string, number>();
  for (const item of items) {
    const job = `${item.app.clusterId}\u0000${item.effectivePriority}\u0000${item.app.jobId}`;
    const ahead = jobSeen.get(job) ?? 0;
    jobSeen.set(job, ahead + 1);
    item.jobTurn = (runningJobs.get(`${item.app.clusterId}\u0000${item.app.jobId}`) ?? 0) + ahead;
  }
  items.sort((a, b) => a.jobTurn - b.jobTurn || byArrival(a, b));
  const teamSeen = new Map<string, number>();
  for (const item of items) {
    const team = `${item.app.clusterId}\u0000${item.effectivePriority}\u0000${item.app.team}`;
    const ahead = teamSeen.get(team) ?? 0;
    teamSeen.set(team, ahead + 1);
    item.teamTurn = (runningTeams.get(`${item.app.clusterId}\u0000${item.app.team}`) ?? 0) + ahead;
  }
  items.sort(
    (a, b) =>
      b.effectivePriority - a.effectivePriority || a.teamTurn - b.teamTurn || a.jobTurn - b.jobTurn || byArrival(a, b),
  );
  return items;
}

function agingLevels(createdAtMs: number, nowMs: number, agingSeconds: number): number {
  if (agingSeconds <= 0) return 0;
  return Math.floor(Math.max(0, nowMs - createdAtMs) / (agingSeconds * 1000));
}

/** First come first served; the id breaks ties, so the order is total. */
function byArrival(a: Ordered, b: Ordered): number {
  return a.app.createdAtMs - b.app.createdAtMs || (a.app.id < b.app.id ? -1 : a.app.id > b.app.id ? 1 : 0);
}

function countBy(apps: readonly PlanApp[], key: (app: PlanApp) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of apps) counts.set(key(app), (counts.get(key(app)) ?? 0) + 1);
  return counts;
}
