/**
 * Accumulates decoded event-log lines into a run's RunMetrics. It keeps per-executor and
 * per-running-stage state only, so memory is bounded by executors and stages, never by the
 * log's size. A rejected line sets `incomplete`; so does a log without an application end.
 */
import {
  type ExecutorMetrics,
  type RunMetrics,
  type StageSkew,
  type StageTiming,
  emptyRunMetrics,
} from '../domain/metrics';
import { type ExecutorLifecycle, ExecutorRoster } from './executor-roster';
import type { DecodedLine, MemoryPeaks, StageCompletedEvent, TaskEndEvent } from './spark-events';
import { TaskTimeSketch } from './task-time-sketch';

export interface EventLogParseOptions {
  /**
   * When the application was submitted, epoch ms: waitBeforeStartMs = start - submittedAtMs.
   * @default the `spark.app.submitTime` Spark property when the log has it, else no wait is reported
   */
  submittedAtMs?: number;
  /** How many of the most skewed stages to report. @default 10 */
  skewedStagesLimit?: number;
  /** Task times kept exactly per running stage before the skew median becomes an estimate. @default 1024 */
  exactTaskTimesPerStage?: number;
}

/** Reasons Spark gives when it removed an executor on purpose (dynamic allocation), not lost. */
const INTENTIONAL_REMOVAL = /^Executor killed by driver|decommission/i;

/** Stage attempts per stage id in the numeric key; Spark caps attempts far below this. */
const ATTEMPTS = 1024;

export class RunMetricsAccumulator {
  private readonly options: Required<Omit<EventLogParseOptions, 'submittedAtMs'>> & { submittedAtMs?: number };
  private sparkAppId: string | undefined;
  private startMs: number | undefined;
  private endMs: number | undefined;
  private lastSeenMs = 0;
  private rejected = 0;
  /** The plain sums of task metrics and the task and stage counts; the rest is derived in result(). */
  private readonly sums = emptyRunMetrics();
  /** Summed in ns as logged, converted once: a sum of converted values would round differently. */
  private executorCpuTimeNs = 0;
  private pythonWorkerMs = 0;
  /** Completed stage attempts, in completion order: one small record per stage, however long the log. */
  private readonly timings: { timing: StageTiming; submittedAtMs: number; completedAtMs: number }[] = [];
  private readonly executors = new ExecutorRoster<ExecutorLifecycle>((executorId) => ({ executorId, cores: 0 }));
  private readonly peaks = new Map<string, MemoryPeaks>();
  /** Task run times and data of stages still running, keyed by stageKey(). */
  private readonly running = new Map<number, StageTasks>();
  private skews: StageSkew[] = [];
  private readonly properties = new Map<string, string>();

  constructor(options: EventLogParseOptions = {}) {
    this.options = { skewedStagesLimit: 10, exactTaskTimesPerStage: 1024, ...options };
  }

  add(decoded: DecodedLine): void {
    switch (decoded.type) {
      case 'taskEnd':
        return this.onTaskEnd(decoded);
      case 'stageCompleted':
        return this.onStageCompleted(decoded);
      case 'executorAdded':
        this.executors.added(decoded.executorId, decoded.cores, decoded.timestampMs);
        return this.seen(decoded.timestampMs);
      case 'executorRemoved':
        this.executors.removed(decoded.executorId, decoded.timestampMs, decoded.reason);
        return this.seen(decoded.timestampMs);
      case 'executorPeaks':
        for (const sample of decoded.samples) this.peak(decoded.executorId, sample);
        return;
      case 'applicationStart':
        this.sparkAppId = decoded.sparkAppId ?? this.sparkAppId;
        this.startMs = decoded.timestampMs || this.startMs;
        return this.seen(decoded.timestampMs);
      case 'applicationEnd':
        this.endMs = decoded.timestampMs || undefined;
        return this.seen(decoded.timestampMs);
      case 'environmentUpdate':
        for (const [key, value] of Object.entries(decoded.sparkProperties)) this.properties.set(key, value);
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

  private onTaskEnd(e: TaskEndEvent): void {
    const s = this.sums;
    const m = e.metrics;
    s.executorRunTimeMs += m.runTimeMs;
    this.executorCpuTimeNs += m.cpuTimeNs;
    this.pythonWorkerMs += e.pythonWorkerMs;
    s.jvmGcTimeMs += m.gcTimeMs;
    s.memorySpillBytes += m.memorySpillBytes;
    s.diskSpillBytes += m.diskSpillBytes;
    s.shuffleReadBytes += m.shuffleReadBytes;
    s.shuffleFetchWaitMs += m.shuffleFetchWaitMs;
    s.shuffleWriteBytes += m.shuffleWriteBytes;
    s.inputBytes += m.inputBytes;
    s.inputRecords += m.inputRecords;
    s.outputBytes += m.outputBytes;
    s.outputRecords += m.outputRecords;
    // the same split as Spark's AppStatusListener
    if (e.reason === 'Success') {
      s.tasks.completed++;
      const key = stageKey(e.stageId, e.attemptId);
      let stage = this.running.get(key);
      if (stage === undefined) {
        const exact = this.options.exactTaskTimesPerStage;
        stage = {
          times: new TaskTimeSketch(exact),
          bytes: new TaskTimeSketch(exact),
          records: new TaskTimeSketch(exact),
          taskTimeMs: 0,
          shuffleReadBytes: 0,
          inputBytes: 0,
        };
        this.running.set(key, stage);
      }
      stage.times.add(m.runTimeMs);
      stage.bytes.add(m.inputBytes + m.shuffleReadBytes);
      stage.records.add(m.inputRecords);
      stage.taskTimeMs += m.runTimeMs;
      stage.shuffleReadBytes += m.shuffleReadBytes;
      stage.inputBytes += m.inputBytes;
    } else if (e.reason === 'TaskKilled' || e.reason === 'TaskCommitDenied') s.tasks.killed++;
    else s.tasks.failed++;
    if (e.executorId !== undefined) {
      this.executors.get(e.executorId);
      if (e.peaks.jvmBytes > 0 || e.peaks.rssBytes > 0 || e.peaks.pythonRssBytes > 0) this.peak(e.executorId, e.peaks);
    }
    this.seen(e.finishTimeMs);
  }

  private onStageCompleted(e: StageCompletedEvent): void {
    if (e.failed) this.sums.stages.failed++;
    else this.sums.stages.completed++;
    this.seen(e.completedAtMs);
    const key = stageKey(e.stageId, e.attemptId);
    const sketch = this.running.get(key);
    if (sketch !== undefined) {
      this.running.delete(key);
      this.recordSkew(e.stageId, e.attemptId, sketch);
      if (!e.failed) this.timings.push({ timing: timingOf(e.stageId, sketch), ...e });
    }
  }

  private recordSkew(stageId: number, attemptId: number, sketch: StageTasks): void {
    const skew = skewOf(stageId, attemptId, sketch);
    if (skew === undefined) return;
    this.skews.push(skew);
    if (this.skews.length >= 4 * this.options.skewedStagesLimit) this.skews = this.topSkews(this.skews);
  }

  private topSkews(skews: StageSkew[]): StageSkew[] {
    return skews.sort((a, b) => b.skew - a.skew || a.stageId - b.stageId).slice(0, this.options.skewedStagesLimit);
  }

  private peak(id: string, sample: MemoryPeaks): void {
    const current = this.peaks.get(id);
    if (current === undefined) this.peaks.set(id, { ...sample });
    else {
      if (sample.jvmBytes > current.jvmBytes) current.jvmBytes = sample.jvmBytes;
      if (sample.rssBytes > current.rssBytes) current.rssBytes = sample.rssBytes;
      if (sample.pythonRssBytes > current.pythonRssBytes) current.pythonRssBytes = sample.pythonRssBytes;
    }
  }

  private seen(timestampMs: number): void {
    if (timestampMs > this.lastSeenMs) this.lastSeenMs = timestampMs;
  }

  /** The metrics of the lines added so far. The accumulator can keep taking lines afterwards. */
  result(): RunMetrics {
    // stages that never completed (the app died, or their completion event was lost) count too
    const skews = [...this.skews];
    for (const [key, sketch] of this.running) {
      const skew = skewOf(Math.floor(key / ATTEMPTS), key % ATTEMPTS, sketch);
      if (skew !== undefined) skews.push(skew);
    }
    const startMs = this.startMs ?? 0;
    const endMs = this.endMs ?? this.lastSeenMs;
    const executors = this.executorMetrics(startMs, endMs);
    const coreMs = executors.reduce((sum, e) => sum + e.cores * Math.max(0, (e.removedAt ?? endMs) - e.addedAt), 0);
    const s = this.sums;
    const executorCpuTimeMs = this.executorCpuTimeNs / 1e6;
    // Python workers run beside the task's JVM thread, whose CPU time does not include theirs
    const cpuMs = executorCpuTimeMs + this.pythonWorkerMs;
    const submittedAt =
      this.options.submittedAtMs ?? (Number(this.properties.get('spark.app.submitTime')) || undefined);
    const peakJvm = Math.max(0, ...executors.map((e) => e.peakJvmMemoryBytes ?? 0));
    const peakRss = Math.max(0, ...executors.map((e) => e.peakRssBytes ?? 0));
    const peakPython = Math.max(0, ...executors.map((e) => e.peakPythonRssBytes ?? 0));
    return {
      ...s,
      sparkAppId: this.sparkAppId,
      durationMs: this.startMs === undefined ? 0 : Math.max(0, endMs - startMs),
      waitBeforeStartMs:
        submittedAt === undefined || this.startMs === undefined ? undefined : Math.max(0, this.startMs - submittedAt),
      executorCoreSeconds: coreMs / 1000,
      peakJvmMemoryBytes: peakJvm > 0 ? peakJvm : undefined,
      peakRssBytes: peakRss > 0 ? peakRss : undefined,
      peakPythonRssBytes: peakPython > 0 ? peakPython : undefined,
      executorCpuTimeMs,
      pythonWorkerTimeMs: this.pythonWorkerMs > 0 ? this.pythonWorkerMs : undefined,
      gcTimeShare: s.executorRunTimeMs > 0 ? s.jvmGcTimeMs / s.executorRunTimeMs : 0,
      efficiency: coreMs > 0 ? s.executorRunTimeMs / coreMs : 0,
      cpuUtilization: coreMs > 0 ? cpuMs / coreMs : 0,
      tasks: { ...s.tasks },
      stages: { ...s.stages },
      skewedStages: this.topSkews(skews),
      executors,
      stageTimings: this.timings.map((t) => withOffsets(t.timing, t.submittedAtMs, t.completedAtMs, this.startMs)),
      executorsLost: executors
        .filter((e) => e.removedReason !== undefined && !INTENTIONAL_REMOVAL.test(e.removedReason))
        .map((e) => ({ executorId: e.executorId, reason: e.removedReason! })),
      sparkProperties: Object.fromEntries(this.properties),
      incomplete: this.rejected > 0 || this.endMs === undefined,
    };
  }

  private executorMetrics(startMs: number, endMs: number): ExecutorMetrics[] {
    return [...this.executors.all()].map((e) => {
      const peaks = this.peaks.get(e.executorId);
      return {
        executorId: e.executorId,
        // a log without ExecutorAdded (older local mode): the driver ran the tasks with local[N] cores
        cores: e.cores || this.fallbackCores(),
        addedAt: e.addedAt ?? startMs,
        removedAt: e.removedAt ?? endMs,
        removedReason: e.removedReason,
        peakJvmMemoryBytes: peaks && peaks.jvmBytes > 0 ? peaks.jvmBytes : undefined,
        peakRssBytes: peaks && peaks.rssBytes > 0 ? peaks.rssBytes : undefined,
        peakPythonRssBytes: peaks && peaks.pythonRssBytes > 0 ? peaks.pythonRssBytes : undefined,
      };
    });
  }

  private fallbackCores(): number {
    const local = /^local\[(\d+)/.exec(this.properties.get('spark.master') ?? '');
    return Number(local?.[1] ?? this.properties.get('spark.executor.cores') ?? 1) || 1;
  }
}

function stageKey(stageId: number, attemptId: number): number {
  return stageId * ATTEMPTS + attemptId;
}

/** The successful tasks of one stage: their run times and the data each read, and their sums. */
interface StageTasks {
  times: TaskTimeSketch;
  bytes: TaskTimeSketch;
  records: TaskTimeSketch;
  taskTimeMs: number;
  shuffleReadBytes: number;
  inputBytes: number;
}

function timingOf(stageId: number, stage: StageTasks): StageTiming {
  return {
    stageId,
    tasks: stage.times.count,
    taskTimeMs: stage.taskTimeMs,
    maxTaskMs: stage.times.max,
    shuffleReadBytes: stage.shuffleReadBytes,
    inputBytes: stage.inputBytes,
  };
}

/** The stage's times as offsets from the application start, when the log has all three. */
function withOffsets(timing: StageTiming, submittedAtMs: number, completedAtMs: number, startMs?: number): StageTiming {
  if (startMs === undefined || submittedAtMs < startMs || completedAtMs < submittedAtMs) return timing;
  return {
    ...timing,
    startOffsetMs: Math.max(0, submittedAtMs - startMs),
    endOffsetMs: Math.max(0, completedAtMs - startMs),
  };
}

function skewOf(stageId: number, attemptId: number, stage: StageTasks): StageSkew | undefined {
  const { times, bytes, records } = stage;
  if (times.count < 2) return undefined;
  return {
    stageId,
    attemptId,
    tasks: times.count,
    // a median under 1 ms counts as 1 ms, so stages of instant tasks do not report huge ratios
    skew: times.max / Math.max(1, times.median()),
    medianTaskBytes: Math.round(bytes.median()),
    maxTaskBytes: bytes.max,
    medianTaskRecords: Math.round(records.median()),
    maxTaskRecords: records.max,
  };
}
