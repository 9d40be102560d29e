/**
 * How the admission planner scales: one plan of 10,000 queued applications over 1,000 nodes, then
 * of 20,000 over 2,000 (ten clusters, teams with quotas, priorities, a fifth of the room already
 * taken by running applications), after a warm-up, in turn: the median of the rounds' ratios.
 *   npm run bench:planner [-- --runs 15]
 * The last line: planner 20k/10k time ratio=<r> plan-ms=<t> (t: the median 10k plan).
 */
import { parseArgs } from 'node:util';
import { plan } from '../runtime/scheduling/planner';
import type { PlanApp, PlanCluster, PlanInput, Resources } from '../runtime/scheduling/types';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);

const CLUSTERS = 10;
const TEAMS = 20;
const JOBS_PER_TEAM = 10;
const NODE: Resources = { cores: 16, memoryMiB: 65536 };

/** The same pseudo-random numbers every run (a linear congruential generator). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

function scenario(queuedCount: number, nodeCount: number): PlanInput {
  const next = random(20261203);
  const pick = (n: number) => Math.floor(next() * n);
  const makeApp = (id: string, createdAtMs: number): PlanApp => {
    const team = pick(TEAMS);
    const job = team * JOBS_PER_TEAM + pick(JOBS_PER_TEAM);
    return {
      id,
      clusterId: `cluster-${job % CLUSTERS}`,
      jobId: `job-${job}`,
      team: `team-${team}`,
      priority: pick(5) - 2,
      createdAtMs,
      demand: {
        driver: { cores: 1 + pick(2), memoryMiB: 2048 + 1024 * pick(4) },
        executors: { count: 1 + pick(8), each: { cores: 2 + pick(3), memoryMiB: 4096 * (1 + pick(4)) } },
      },
      concurrency: job % 7 === 0 ? 'Forbid' : 'Allow',
    };
  };
  const clusters: PlanCluster[] = [];
  const running: PlanApp[] = [];
  const perCluster = nodeCount / CLUSTERS;
  for (let c = 0; c < CLUSTERS; c++) {
    // a fifth of every node is taken by what runs already
    const nodes = Array.from({ length: perCluster }, () => ({
      cores: NODE.cores * 0.8,
      memoryMiB: NODE.memoryMiB * 0.8,
    }));
    clusters.push({
      id: `cluster-${c}`,
      capacity: { cores: NODE.cores * perCluster, memoryMiB: NODE.memoryMiB * perCluster },
      nodes,
      quota: { applications: perCluster * 4 },
      defaultTeamQuota: { cores: (NODE.cores * perCluster) / 4 },
    });
  }
  const runningCount = nodeCount;
  for (let i = 0; i < runningCount; i++) running.push(makeApp(`run-${i}`, i));
  const queued = Array.from({ length: queuedCount }, (_, i) =>
    makeApp(`app-${String(i).padStart(6, '0')}`, 1_000_000 + i * 50),
  );
  return { queued, running, clusters, nowMs: 1_000_000 + queuedCount * 50 };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  ms: number;
  admitted: number;
  held: number;
  rejected: number;
}

/** One timed plan of `input` (planning never changes its input, so the same one serves every run). */
function timed(input: PlanInput): { ms: number; result: ReturnType<typeof plan> } {
  const started = performance.now();
  const result = plan(input);
  return { ms: performance.now() - started, result };
}

/**
 * Both sizes planned in turn, a 10k plan then a 20k plan in each round, so that a change of the
 * machine's load meanwhile (other processes, a GC of the other's garbage) falls on both alike; the
 * ratio is the median of the rounds' own ratios.
 */
function measurePaired(
  smallInput: PlanInput,
  largeInput: PlanInput,
): { small: Measured; large: Measured; ratio: number } {
  for (let i = 0; i < 5; i++) {
    plan(smallInput);
    plan(largeInput);
  }
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  const ratios: number[] = [];
  let smallLast = plan(smallInput);
  let largeLast = plan(largeInput);
  for (let i = 0; i < runs; i++) {
    const small = timed(smallInput);
    const large = timed(largeInput);
    smallTimes.push(small.ms);
    largeTimes.push(large.ms);
    ratios.push(large.ms / small.ms);
    smallLast = small.result;
    largeLast = large.result;
  }
  const summary = (times: number[], last: ReturnType<typeof plan>): Measured => ({
    ms: median(times),
    admitted: last.admit.length,
    held: last.held.length,
    rejected: last.rejected.length,
  });
  return { small: summary(smallTimes, smallLast), large: summary(largeTimes, largeLast), ratio: median(ratios) };
}

const { small, large, ratio } = measurePaired(scenario(10_000, 1_000), scenario(20_000, 2_000));
for (const [name, m] of [
  ['10k queued / 1k nodes', small],
  ['20k queued / 2k nodes', large],
] as const) {
  console.log(
    `${name}: median ${m.ms.toFixed(1)} ms over ${runs} runs (admitted ${m.admitted}, held ${m.held}, rejected ${m.rejected})`,
  );
}
console.log(`planner 20k/10k time ratio=${ratio.toFixed(2)} plan-ms=${small.ms.toFixed(1)}`);
