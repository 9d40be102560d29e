/**
 * The Spark event-log events that carry a metric, as the line decoders give them to the
 * accumulator: only the fields the metrics need, already typed, with the defaults applied (a
 * missing number is 0), so that two decoders can be compared with a plain deep equality.
 */

/** What one task measured: "Task Metrics" of a TaskEnd; a missing field counts as 0. */
export interface TaskMetrics {
  runTimeMs: number;
  cpuTimeNs: number;
  gcTimeMs: number;
  memorySpillBytes: number;
  diskSpillBytes: number;
  /** Remote + local bytes read. */
  shuffleReadBytes: number;
  shuffleFetchWaitMs: number;
  shuffleWriteBytes: number;
  inputBytes: number;
  inputRecords: number;
  outputBytes: number;
  outputRecords: number;
}

/** One sample of an executor's memory: JVM heap + off-heap, process-tree RSS, and the Python workers' share of it. */
export interface MemoryPeaks {
  jvmBytes: number;
  rssBytes: number;
  /** ProcessTreePythonRSSMemory: needs spark.executor.processTreeMetrics.enabled (Linux only). */
  pythonRssBytes: number;
}

/** The SQL metric of Python UDF operators (BatchEvalPython, ArrowEvalPython...) timing the Python workers. */
export const PYTHON_RUN_TIME_METRIC = 'time to run Python workers';

export interface TaskEndEvent {
  type: 'taskEnd';
  stageId: number;
  attemptId: number;
  /** "Task End Reason"."Reason": Success, TaskKilled, ExceptionFailure... */
  reason: string;
  executorId: string | undefined;
  finishTimeMs: number;
  metrics: TaskMetrics;
  /** From "Task Executor Metrics". */
  peaks: MemoryPeaks;
  /**
   * The task's "time to run Python workers" (a SQL metric of Python UDF operators, in Task Info's
   * Accumulables), ms: work done in Python worker processes, which "Executor CPU Time" (JVM threads) misses.
   */
  pythonWorkerMs: number;
}

export interface StageCompletedEvent {
  type: 'stageCompleted';
  stageId: number;
  attemptId: number;
  /** 0 when the log does not say. */
  completedAtMs: number;
  /** "Submission Time" of the stage info, epoch ms; 0 when the log does not say. */
  submittedAtMs: number;
  /** The stage info has a "Failure Reason". */
  failed: boolean;
}

export interface ExecutorAddedEvent {
  type: 'executorAdded';
  executorId: string;
  /** 0 when the log does not say. */
  cores: number;
  timestampMs: number;
}

export interface ExecutorRemovedEvent {
  type: 'executorRemoved';
  executorId: string;
  timestampMs: number;
  reason: string;
}

/** StageExecutorMetrics: one peak sample; ExecutorMetricsUpdate: one sample per update. */
export interface ExecutorPeaksEvent {
  type: 'executorPeaks';
  executorId: string;
  samples: MemoryPeaks[];
}

export interface ApplicationStartEvent {
  type: 'applicationStart';
  sparkAppId: string | undefined;
  timestampMs: number;
}

export interface ApplicationEndEvent {
  type: 'applicationEnd';
  timestampMs: number;
}

export interface EnvironmentUpdateEvent {
  type: 'environmentUpdate';
  sparkProperties: Record<string, string>;
}

export type SparkEvent =
  | TaskEndEvent
  | StageCompletedEvent
  | ExecutorAddedEvent
  | ExecutorRemovedEvent
  | ExecutorPeaksEvent
  | ApplicationStartEvent
  | ApplicationEndEvent
  | EnvironmentUpdateEvent;

/** A blank line, or an event that carries no metric (TaskStart, JobStart, SQL events...). */
export const IGNORED_LINE = Object.freeze({ type: 'ignored' } as const);
/** A line that is not a whole JSON object: cut mid-write, or corrupt. */
export const REJECTED_LINE = Object.freeze({ type: 'rejected' } as const);

export type DecodedLine = SparkEvent | typeof IGNORED_LINE | typeof REJECTED_LINE;

/** The line without trailing whitespace or control characters (a "\r" of CRLF, padding). */
export function trimLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) <= 32) end--;
  return end === line.length ? line : line.slice(0, end);
}
