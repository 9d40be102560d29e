/**
 * Accumulates decoded event-log lines (decodeTimelineEvent) into a run's timeline. Fed event by
 * event, in log order, it can answer at any point (a log still being written) and keep taking
 * lines afterwards. The core series is bounded (core-series.ts); jobs, stages and executors are
 * kept one entry each.
 */
import type { ApplicationTimeline, MemoryPeaksBreakdown, TimelineJob, TimelineStage } from '../domain/timeline';
import { sparkMemoryMiB, withOverhead } from './cost';
import { CoreSeries } from './core-series';
import { type ExecutorLifecycle, ExecutorRoster } from './executor-roster';
import { decodeTimelineEvent, type StageInfo, type TaskDoneEvent, type TimelineLine } from './timeline-events';
import { findProblems, OUT_OF_MEMORY } from './timeline-problems';
import { TaskTimeSketch } from './task-time-sketch';

/** What the log tells of the run; the caller adds whose it is and whether it is still written. */
export type TimelineResult = Omit<ApplicationTimeline, 'appId' | 'live' | 'asOf'>;

interface StageState {
  stage: TimelineStage;
  times: TaskTimeSketch;
}

interface ExecutorState extends ExecutorLifecycle {
  peaks: MemoryPeaksBreakdown;
}

/** Stage attempts per stage id in the numeric key; Spark caps attempts far below this. */
const ATTEMPTS = 1024;
/** Task times kept exactly per stage before the median becomes an estimate. */
const EXACT_TASK_TIMES = 1024;
const MIB = 2 ** 20;

export class TimelineAccumulator {
  private sparkAppId: string | undefined;
  private startMs: number | undefined;
  private endMs: number | undefined;
  private lastSeenMs = 0;
  private rejected = 0;
  private taskRunTimeMs = 0;
  private gcTimeMs = 0;
  private readonly oomTasks: { count: number; example?: string; stageId?: number } = { count: 0 };
  private readonly jobs = new Map<number, TimelineJob>();
  private readonly stages = new Map<number, StageState>();
  private readonly executors = new ExecutorRoster<ExecutorState>((executorId) => ({
    executorId,
    cores: 0,
    peaks: { jvmHeapBytes: 0, jvmOffHeapBytes: 0, pythonBytes: 0, otherBytes: 0, jvmRssBytes: 0 },
  }));
  private readonly properties = new Map<string, string>();
  private readonly series = new CoreSeries();

  /** Decodes and adds one line of the log. */
  addLine(line: string): void {
    this.add(decodeTimelineEvent(line));
  }

  add(decoded: TimelineLine): void {
    switch (decoded.type) {
      case 'applicationStart':
        this.sparkAppId = decoded.sparkAppId ?? this.sparkAppId;
        this.startMs = decoded.timestampMs || this.startMs;
        this.series.start(decoded.timestampMs);
        return this.seen(decoded.timestampMs);
      case 'applicationEnd':
        this.endMs = decoded.timestampMs || undefined;
        return this.seen(decoded.timestampMs);
      case 'environmentUpdate':
        for (const [key, value] of Object.entries(decoded.sparkProperties)) this.properties.set(key, value);
        return;
      case 'jobStart':
        this.jobs.set(decoded.jobId, {
          jobId: decoded.jobId,
          description: decoded.description,
          submittedAt: decoded.submittedAtMs,
          result: 'running',
          stageIds: decoded.stages.map((s) => s.stageId),
        });
        return this.seen(decoded.submittedAtMs);
      case 'jobEnd': {
        const job = this.jobs.get(decoded.jobId);
        if (job !== undefined) {
          job.completedAt = decoded.completedAtMs || undefined;
          job.result = decoded.succeeded ? 'succeeded' : 'failed';
        }
        return this.seen(decoded.completedAtMs);
      }
      case 'stageSubmitted':
        this.stage(decoded.stage);
        return this.seen(decoded.stage.submittedAtMs);
      case 'stageEnd': {
        const { stage } = this.stage(decoded.stage);
        stage.completedAt = decoded.completedAtMs || undefined;
        stage.status = decoded.failed ? 'failed' : 'complete';
        return this.seen(decoded.completedAtMs);
      }
      case 'taskDone':
        return this.onTask(decoded);
      case 'executorAdded':
        this.executors.added(decoded.executorId, decoded.cores, decoded.timestampMs);
        return this.seen(decoded.timestampMs);
      case 'executorRemoved':
        this.executors.removed(decoded.executorId, decoded.timestampMs, decoded.reason);
        return this.seen(decoded.timestampMs);
      case 'executorMemory':
        for (const sample of decoded.samples) this.peak(decoded.executorId, sample);
        return;
      case 'rejected':
        this.rejected++;
        return;
      case 'ignored':
        return;
    }
  }

  /** Lines rejected so far: cut mid-write, or corrupt. */
  get rejectedLines(): number {
    return this.rejected;
  }

  private onTask(e: TaskDoneEvent): void {
    const { stage, times } = this.stage({
      stageId: e.stageId,
      attemptId: e.attemptId,
      name: '',
      tasks: 0,
      submittedAtMs: 0,
    });
    const m = e.metrics;
    stage.inputBytes += m.inputBytes;
    stage.outputBytes += m.outputBytes;
    stage.shuffleReadBytes += m.shuffleReadBytes;
    stage.shuffleWriteBytes += m.shuffleWriteBytes;
    stage.spillBytes += m.memorySpillBytes + m.diskSpillBytes;
    this.taskRunTimeMs += m.runTimeMs;
    this.gcTimeMs += m.gcTimeMs;
    if (e.outcome === 'success') {
      stage.completedTasks++;
      times.add(m.runTimeMs);
      stage.taskTimeMaxMs = times.max;
    } else if (e.outcome === 'failed') {
      stage.failedTasks++;
      if (e.failure !== undefined && OUT_OF_MEMORY.test(e.failure)) {
        this.oomTasks.count++;
        this.oomTasks.example ??= e.failure;
        this.oomTasks.stageId ??= e.stageId;
      }
    }
    if (e.executorId !== undefined) {
      this.executors.get(e.executorId);
      this.peak(e.executorId, e.peaks);
    }
    this.series.addBusy(e.launchMs, e.finishMs);
    this.seen(e.finishMs);
  }

  private stage(info: StageInfo): StageState {
    const key = info.stageId * ATTEMPTS + info.attemptId;
    let state = this.stages.get(key);
    if (state === undefined) {
      state = {
        stage: {
          stageId: info.stageId,
          attemptId: info.attemptId,
          name: info.name,
          tasks: info.tasks,
          completedTasks: 0,
          failedTasks: 0,
          inputBytes: 0,
          outputBytes: 0,
          shuffleReadBytes: 0,
          shuffleWriteBytes: 0,
          spillBytes: 0,
          taskTimeMaxMs: 0,
          taskTimeMedianMs: 0,
          status: 'active',
        },
        times: new TaskTimeSketch(EXACT_TASK_TIMES),
      };
      this.stages.set(key, state);
    }
    const stage = state.stage;
    // a later event of the stage may know what an earlier one did not (a task seen before its submission)
    if (info.name !== '') stage.name = info.name;
    if (info.tasks > 0) stage.tasks = info.tasks;
    if (info.submittedAtMs > 0) stage.submittedAt = info.submittedAtMs;
    return state;
  }

  private peak(id: string, sample: MemoryPeaksBreakdown): void {
    const peaks = this.executors.get(id).peaks;
    for (const key of Object.keys(peaks) as (keyof MemoryPeaksBreakdown)[]) {
      if (sample[key] > peaks[key]) peaks[key] = sample[key];
    }
  }

  private seen(timestampMs: number): void {
    if (timestampMs > this.lastSeenMs) this.lastSeenMs = timestampMs;
  }

  /** The timeline of the lines added so far. */
  result(): TimelineResult {
    const startMs = this.startMs ?? 0;
    const endMs = this.endMs ?? this.lastSeenMs;
    const executors = [...this.executors.all()].map((e) => ({
      executorId: e.executorId,
      // a log without ExecutorAdded (older local mode): the driver ran the tasks with local[N] cores
      cores: e.cores || this.fallbackCores(),
      addedAt: e.addedAt ?? startMs,
      ...(e.removedAt === undefined ? {} : { removedAt: e.removedAt }),
      ...(e.removedReason === undefined ? {} : { removedReason: e.removedReason }),
      peaks: { ...e.peaks },
      requestedBytes: this.requestedBytes(e.executorId),
    }));
    const { stepMs, samples } = this.series.samples(
      endMs,
      executors.map((e) => ({ cores: e.cores, fromMs: e.addedAt, toMs: e.removedAt ?? endMs })),
    );
    const stages = [...this.stages.values()].map(({ stage, times }) => ({
      ...stage,
      taskTimeMedianMs: times.count > 0 ? times.median() : 0,
    }));
    return {
      ...(this.sparkAppId === undefined ? {} : { sparkAppId: this.sparkAppId }),
      ...(this.startMs === undefined ? {} : { startedAt: this.startMs }),
      ...(this.endMs === undefined ? {} : { endedAt: this.endMs }),
      stepMs,
      jobs: [...this.jobs.values()].map((j) => ({ ...j, stageIds: [...j.stageIds] })),
      stages,
      cores: samples,
      executors,
      problems: findProblems({
        stages,
        executors,
        taskRunTimeMs: this.taskRunTimeMs,
        gcTimeMs: this.gcTimeMs,
        oomTasks: { ...this.oomTasks },
      }),
    };
  }

  /** What the executor's pod asks for, from the Spark properties (Spark's defaults when unset). */
  private requestedBytes(executorId: string): number {
    const props = Object.fromEntries(this.properties);
    const role = executorId === 'driver' ? 'driver' : 'executor';
    let bytes = withOverhead(props, role, sparkMemoryMiB(props[`spark.${role}.memory`], 1024)) * MIB;
    if (role === 'executor') bytes += sparkMemoryMiB(props['spark.executor.pyspark.memory'], 0) * MIB;
    const offHeap = props['spark.memory.offHeap.size']?.trim();
    if (props['spark.memory.offHeap.enabled'] === 'true' && offHeap !== undefined) {
      // unlike the other memory settings, a bare number here is bytes
      bytes += /^\d+$/.test(offHeap) ? Number(offHeap) : sparkMemoryMiB(offHeap, 0) * MIB;
    }
    return bytes;
  }

  private fallbackCores(): number {
    const local = /^local\[(\d+)/.exec(this.properties.get('spark.master') ?? '');
    return Number(local?.[1] ?? this.properties.get('spark.executor.cores') ?? 1) || 1;
  }
}
