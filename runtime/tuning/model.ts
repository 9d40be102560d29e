/**
 * Run time versus resources, from the job's own history: a stage replay in the spirit of Sparklens
 * (re-schedule the measured tasks on a different number of slots) and a scaling model in the
 * spirit of Ernest (t = a + b * work/slots + c * log(slots) + d * slots, fitted by NNLS).
 */
import { nnls } from './nnls';
import type { StageTiming } from './types';

/** Scheduling and launch cost of one task, which no amount of resources removes (an assumption, not measured). */
export const TASK_OVERHEAD_MS = 100;

/** The resources a prediction is for. */
export interface Shape {
  executors: number;
  cores: number;
  /** Shuffle partitions the stages reading shuffle data will have (after adaptive coalescing). */
  shuffleTasksFor: (stage: StageTiming, inputScale: number) => number;
  /** Next input over the measured run's input. */
  inputScale: number;
  /** Task time multiplier for this shape, e.g. from contention at more cores per executor. @default 1 */
  workFactor?: number;
}

/** Wall time of one stage re-run with `tasks` tasks on `slots` slots. */
export function replayStage(stage: StageTiming, slots: number, tasks: number, inputScale: number, workFactor = 1) {
  const measuredTasks = Math.max(1, stage.tasks);
  const work = Math.max(0, stage.taskTimeMs - measuredTasks * TASK_OVERHEAD_MS) * inputScale * workFactor;
  const avgWork = Math.max(0, stage.taskTimeMs / measuredTasks - TASK_OVERHEAD_MS);
  // skew is a property of the data: the largest partition keeps its share of the stage's work
  const skew = avgWork > 0 ? Math.max(1, (stage.maxTaskMs - TASK_OVERHEAD_MS) / avgWork) : 1;
  const n = Math.max(1, Math.round(tasks));
  const avg = work / n + TASK_OVERHEAD_MS;
  const longest = (work / n) * Math.min(skew, n) + TASK_OVERHEAD_MS;
  if (n <= slots) return longest;
  return Math.max(longest, Math.ceil(n / slots) * avg, (work + n * TASK_OVERHEAD_MS) / slots);
}

/**
 * Wall time of the measured stages re-run with another shape, ms: the critical path of the run.
 * Stages whose measured times overlap ran side by side and share the slots (a wave); waves run
 * one after another. A stage without measured times is a wave of its own.
 */
export function replayStages(stages: readonly StageTiming[], shape: Shape): number {
  const slots = Math.max(1, shape.executors * shape.cores);
  return wavesOf(stages).reduce((total, wave) => {
    let longest = 0;
    let slotMs = 0;
    for (const stage of wave) {
      const tasks =
        stage.shuffleReadBytes > 0
          ? shape.shuffleTasksFor(stage, shape.inputScale)
          : Math.max(1, Math.round(stage.tasks * shape.inputScale));
      longest = Math.max(longest, replayStage(stage, slots, tasks, shape.inputScale, shape.workFactor ?? 1));
      const work = Math.max(0, stage.taskTimeMs - Math.max(1, stage.tasks) * TASK_OVERHEAD_MS);
      slotMs += work * shape.inputScale * (shape.workFactor ?? 1) + Math.max(1, Math.round(tasks)) * TASK_OVERHEAD_MS;
    }
    // side by side, the wave ends with its longest stage or when the slots have done all its work
    return total + (wave.length === 1 ? longest : Math.max(longest, slotMs / slots));
  }, 0);
}

/** Stages grouped by overlapping [startOffsetMs, endOffsetMs], in start order. */
export function wavesOf(stages: readonly StageTiming[]): StageTiming[][] {
  const isTimed = (s: StageTiming) => s.startOffsetMs !== undefined && s.endOffsetMs !== undefined;
  const timed = stages.filter(isTimed).sort((a, b) => a.startOffsetMs! - b.startOffsetMs!);
  const waves: StageTiming[][] = stages.filter((s) => !isTimed(s)).map((s) => [s]);
  let end = -1;
  for (const stage of timed) {
    if (stage.startOffsetMs! < end) waves.at(-1)!.push(stage);
    else waves.push([stage]);
    end = Math.max(end, stage.endOffsetMs!);
  }
  return waves;
}

/** One observation for the scaling model. */
export interface ScalingPoint {
  inputGiB: number;
  slots: number;
  durationSeconds: number;
}

export interface ScalingModel {
  coefficients: [number, number, number, number];
  /** Mean relative error over the points it was fitted on. */
  fitError: number;
  predict(inputGiB: number, slots: number): number;
}

function features(inputGiB: number, slots: number): number[] {
  return [1, inputGiB / slots, Math.log(slots), slots];
}

/** Fits t = a + b * input/slots + c * log(slots) + d * slots; undefined with fewer than 4 points or 3 slot counts. */
export function fitScalingModel(points: readonly ScalingPoint[]): ScalingModel | undefined {
  if (points.length < 4 || new Set(points.map((p) => p.slots)).size < 3) return undefined;
  const rows = points.map((p) => features(p.inputGiB, p.slots));
  const x = nnls(
    rows,
    points.map((p) => p.durationSeconds),
  ) as [number, number, number, number];
  const predict = (inputGiB: number, slots: number) => features(inputGiB, slots).reduce((s, v, j) => s + v * x[j]!, 0);
  const fitError =
    points.reduce((s, p) => s + Math.abs(predict(p.inputGiB, p.slots) - p.durationSeconds) / p.durationSeconds, 0) /
    points.length;
  return { coefficients: x, fitError, predict };
}
