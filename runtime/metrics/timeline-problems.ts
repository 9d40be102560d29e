/**
 * The problems a run's timeline shows, each with the threshold it crossed. Ordered by severity,
 * then as found: out of memory, lost executors, failed tasks, spill, skew, GC.
 */
import type { TimelineExecutor, TimelineProblem, TimelineStage } from '../domain/timeline';

/** GC time over this share of task run time slows a run noticeably. */
export const GC_SHARE_THRESHOLD = 0.1;
/** A stage is skewed when its longest task takes this many times its median... */
export const SKEW_RATIO_THRESHOLD = 5;
/** ...over at least this many successful tasks (with fewer, one slow task is no pattern)... */
export const SKEW_MIN_TASKS = 10;
/** ...reading at least this many bytes (input + shuffle read): tiny tasks are not skew. */
export const SKEW_MIN_BYTES = 64 * 2 ** 20;
/** Skewed stages reported at most, the worst first. */
const SKEW_CARDS = 3;

/** What a JVM or its pod says when memory ran out: the error, or the kernel's kill (137) or SIGTERM (143). */
export const OUT_OF_MEMORY = /OutOfMemoryError|Java heap space|OOMKilled|exit code:? ?(137|143)\b/i;
/** Reasons Spark gives when it removed an executor on purpose (dynamic allocation), not lost. */
const INTENTIONAL_REMOVAL = /^Executor killed by driver|decommission/i;

export interface ProblemInput {
  stages: readonly TimelineStage[];
  executors: readonly TimelineExecutor[];
  taskRunTimeMs: number;
  gcTimeMs: number;
  /** Failed task attempts whose reason says out of memory, and the first such reason. */
  oomTasks: { count: number; example?: string; stageId?: number };
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export function findProblems(input: ProblemInput): TimelineProblem[] {
  const problems: TimelineProblem[] = [];
  const { oomTasks } = input;
  if (oomTasks.count > 0) {
    problems.push({
      kind: 'out-of-memory',
      severity: 'error',
      title: 'Out of memory',
      detail: `${oomTasks.count} task attempt(s) failed for lack of memory: ${oomTasks.example ?? ''}`,
      ...(oomTasks.stageId === undefined ? {} : { stageId: oomTasks.stageId }),
    });
  }
  for (const e of input.executors) {
    const reason = e.removedReason;
    if (reason === undefined || INTENTIONAL_REMOVAL.test(reason)) continue;
    const oom = OUT_OF_MEMORY.test(reason);
    problems.push({
      kind: oom ? 'out-of-memory' : 'executor-lost',
      severity: oom ? 'error' : 'warning',
      title: oom ? `Executor ${e.executorId} out of memory` : `Executor ${e.executorId} lost`,
      detail: reason,
      executorId: e.executorId,
    });
  }
  const failed = input.stages.filter((s) => s.failedTasks > 0);
  const failedTasks = failed.reduce((sum, s) => sum + s.failedTasks, 0) - oomTasks.count;
  if (failedTasks > 0) {
    const worst = failed.reduce((a, b) => (b.failedTasks > a.failedTasks ? b : a));
    problems.push({
      kind: 'failed-tasks',
      severity: 'warning',
      title: 'Failed tasks',
      detail: `${failedTasks} task attempt(s) failed${oomTasks.count > 0 ? ' for other reasons than memory' : ''}; the most in stage ${worst.stageId} (${worst.failedTasks}).`,
      stageId: worst.stageId,
    });
  }
  const spilled = input.stages.filter((s) => s.spillBytes > 0);
  if (spilled.length > 0) {
    const total = spilled.reduce((sum, s) => sum + s.spillBytes, 0);
    const worst = spilled.reduce((a, b) => (b.spillBytes > a.spillBytes ? b : a));
    problems.push({
      kind: 'spill',
      severity: 'warning',
      title: 'Spill',
      detail: `${gib(total)} spilled (over 0) in ${spilled.length} stage(s), most in stage ${worst.stageId} (${gib(worst.spillBytes)}): more memory per task would avoid it.`,
      stageId: worst.stageId,
    });
  }
  const skewed = input.stages
    .map((s) => ({ s, ratio: s.taskTimeMaxMs / Math.max(1, s.taskTimeMedianMs) }))
    .filter(
      ({ s, ratio }) =>
        ratio >= SKEW_RATIO_THRESHOLD &&
        s.completedTasks >= SKEW_MIN_TASKS &&
        s.inputBytes + s.shuffleReadBytes >= SKEW_MIN_BYTES,
    )
    .sort((a, b) => b.ratio - a.ratio)
    .slice(0, SKEW_CARDS);
  for (const { s, ratio } of skewed) {
    problems.push({
      kind: 'skew',
      severity: 'warning',
      title: `Skew in stage ${s.stageId}`,
      detail: `Its longest task took ${ratio.toFixed(1)}x the median (${s.taskTimeMaxMs} ms against ${s.taskTimeMedianMs} ms) over ${s.completedTasks} tasks reading ${gib(s.inputBytes + s.shuffleReadBytes)} (threshold ${SKEW_RATIO_THRESHOLD}x, at least ${SKEW_MIN_TASKS} tasks and ${gib(SKEW_MIN_BYTES)}).`,
      stageId: s.stageId,
    });
  }
  const gcShare = input.taskRunTimeMs > 0 ? input.gcTimeMs / input.taskRunTimeMs : 0;
  if (gcShare > GC_SHARE_THRESHOLD) {
    problems.push({
      kind: 'gc',
      severity: 'warning',
      title: 'GC time',
      detail: `${(gcShare * 100).toFixed(1)} % of task run time in garbage collection (over ${GC_SHARE_THRESHOLD * 100} %).`,
    });
  }
  return problems;
}
