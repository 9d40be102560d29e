/**
 * What one cluster holds while a plan is made: its running applications, then each one the plan
 * admits, in total, per team, on its nodes, and per job for the concurrency policy.
 */
import { NodeRoom } from './nodes';
import { totalCores, totalMemoryMiB } from './demand';
import type { Demand, Limits, PlanApp, PlanCluster, Resources, Verdict } from './types';

/**
 * A queued application with what its gang needs, worked out once for all the rules. The planner
 * loads each application in turn into one candidate (load), so that a plan allocates none per
 * application; rules keep nothing of it but its id.
 */
export class Candidate implements PlanApp {
  id = '';
  clusterId = '';
  jobId = '';
  team = '';
  priority = 0;
  createdAtMs = 0;
  demand: Demand = { driver: { cores: 0, memoryMiB: 0 }, executors: { count: 0, each: { cores: 0, memoryMiB: 0 } } };
  concurrency: PlanApp['concurrency'] = 'Allow';
  readonly total: Resources = { cores: 0, memoryMiB: 0 };
  private podList: Resources[] | undefined;

  constructor(app?: PlanApp) {
    if (app) this.load(app, totalCores(app.demand), totalMemoryMiB(app.demand));
  }

  /** Makes this the candidate for `app`, whose gang needs `cores` and `memoryMiB` in all. */
  load(app: PlanApp, cores: number, memoryMiB: number): this {
    this.id = app.id;
    this.clusterId = app.clusterId;
    this.jobId = app.jobId;
    this.team = app.team;
    this.priority = app.priority;
    this.createdAtMs = app.createdAtMs;
    this.demand = app.demand;
    this.concurrency = app.concurrency;
    return this.sized(cores, memoryMiB);
  }

  private sized(cores: number, memoryMiB: number): this {
    this.total.cores = cores;
    this.total.memoryMiB = memoryMiB;
    this.podList = undefined;
    return this;
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

const NOTHING_USED: Readonly<Usage> = Object.freeze({ applications: 0, cores: 0, memoryMiB: 0 });

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

  /** "cluster <id>", as reasons name it. */
  readonly label: string;
  /** memo's verdicts since the last admission. */
  private readonly memos = new Map<string, Verdict>();
  /** fitsOnNodes' answers since the last admission, by gang shape. */
  private readonly fitsByShape = new Map<string, boolean>();

  constructor(readonly cluster: PlanCluster) {
    this.label = `cluster ${cluster.id}`;
    this.nodes = cluster.nodes ? new NodeRoom(cluster.nodes) : undefined;
  }

  /** Counts a running application (already on its nodes: their free room excludes it). */
  addRunning(app: PlanApp): void {
    this.count(app, totalCores(app.demand), totalMemoryMiB(app.demand));
    // the reason names the same run whatever the order of the input
    const named = this.activeRuns.get(app.jobId);
    if (named !== undefined && app.id < named) this.activeRuns.set(app.jobId, app.id);
  }

  /** Counts an admitted application, on the nodes it was placed on. */
  admit(app: Candidate): void {
    if (this.nodes && !this.nodes.placeAll(app.pods())) {
      throw new Error(`${app.id} was admitted without room on the nodes of cluster ${this.cluster.id}`);
    }
    this.fitsByShape.clear();
    this.memos.clear();
    this.count(app, app.total.cores, app.total.memoryMiB);
  }

  /**
   * Whether every pod of the gang finds room on the nodes now (true when the nodes are unknown).
   * The room changes only when an application is admitted, and once a cluster waits for room none
   * is: until then the answer is kept per gang shape, since the queue behind a large application
   * asks it again and again and each search costs more the more nodes there are.
   */
  fitsOnNodes(app: Candidate): boolean {
    if (!this.nodes) return true;
    const { driver, executors } = app.demand;
    const shape = `${driver.cores}:${driver.memoryMiB}:${executors.count}:${executors.each.cores}:${executors.each.memoryMiB}`;
    const known = this.fitsByShape.get(shape);
    if (known !== undefined) return known;
    const pods = app.pods();
    const placed = this.nodes.placeAll(pods);
    if (placed) this.nodes.release(placed, pods);
    this.fitsByShape.set(shape, placed !== undefined);
    return placed !== undefined;
  }

  /** Notes a run held back, for the concurrency policy of its job. */
  hold(app: PlanApp): void {
    if (app.concurrency === 'Forbid' && !this.waitingRuns.has(app.jobId)) this.waitingRuns.set(app.jobId, app.id);
  }

  /**
   * A verdict made once per key while nothing is admitted (an admission changes what is used), for
   * rules that give many applications the same one: they share one reason instead of each holding
   * its own copy through the plan.
   */
  memo(key: string, make: () => Verdict): Verdict {
    let verdict = this.memos.get(key);
    if (!verdict) this.memos.set(key, (verdict = make()));
    return verdict;
  }

  teamUsage(team: string): Readonly<Usage> {
    return this.teams.get(team) ?? NOTHING_USED;
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

  private count(app: PlanApp, cores: number, memoryMiB: number): void {
    add(this.used, cores, memoryMiB);
    let team = this.teams.get(app.team);
    if (!team) this.teams.set(app.team, (team = { applications: 0, cores: 0, memoryMiB: 0 }));
    add(team, cores, memoryMiB);
    if (!this.activeRuns.has(app.jobId)) this.activeRuns.set(app.jobId, app.id);
  }
}

function add(usage: Usage, cores: number, memoryMiB: number): void {
  usage.applications += 1;
  usage.cores += cores;
  usage.memoryMiB += memoryMiB;
}

/**
 * The pods of the gang, largest first (by cores, then memory), so the big ones get the roomiest
 * early nodes: the executors are all alike, so only the driver's place among them is decided.
 */
export function podsOf(app: PlanApp): Resources[] {
  const { driver, executors } = app.demand;
  const { each } = executors;
  const driverLast = each.cores > driver.cores || (each.cores === driver.cores && each.memoryMiB > driver.memoryMiB);
  const pods: Resources[] = driverLast ? [] : [driver];
  for (let i = 0; i < executors.count; i++) pods.push(each);
  if (driverLast) pods.push(driver);
  return pods;
}
