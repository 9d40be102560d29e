/**
 * Streaming parser of Spark event logs (JSON lines) into RunMetrics. Feed it lines in order; it
 * keeps per-executor and per-running-stage state only, so memory is bounded by executors and
 * stages, never by the log's size.
 *
 * Throughput: the event type is read with a string test, events that carry no metric are skipped
 * without JSON.parse, and the two frequent events are read cheaply. A successful TaskEnd (most
 * of a log's bytes) parses only its "Task Metrics" object and reads a few Task Info fields by
 * position; StageCompleted is read by position. Anything unusual falls back to a full parse.
 *
 * A line that does not parse (the app died mid-write, or a corrupt line) is skipped and sets
 * `incomplete`; so does a log without an application end event.
 */
import type { ExecutorMetrics, RunMetrics, StageSkew } from '../domain/metrics';
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

interface ExecutorState {
  executorId: string;
  cores: number;
  addedAt?: number;
  removedAt?: number;
  removedReason?: string;
}

interface Peaks {
  jvm: number;
  rss: number;
}

/** The parts of a TaskEnd event the metrics need, however it was read. */
interface TaskEndRecord {
  stageId: number;
  attemptId: number;
  reason: string;
  executorId: string | undefined;
  finishTime: number;
  metrics: TaskMetricsJson | undefined;
  jvmBytes: number;
  rssBytes: number;
}

/** "Task Metrics" as Spark writes it; every field may be missing in older versions. */
interface TaskMetricsJson {
  'Executor Run Time'?: number;
  /** Nanoseconds. */
  'Executor CPU Time'?: number;
  'JVM GC Time'?: number;
  'Memory Bytes Spilled'?: number;
  'Disk Bytes Spilled'?: number;
  'Shuffle Read Metrics'?: {
    'Remote Bytes Read'?: number;
    'Local Bytes Read'?: number;
    'Fetch Wait Time'?: number;
  };
  'Shuffle Write Metrics'?: { 'Shuffle Bytes Written'?: number };
  'Input Metrics'?: { 'Bytes Read'?: number; 'Records Read'?: number };
  'Output Metrics'?: { 'Bytes Written'?: number; 'Records Written'?: number };
}

type Json = Record<string, unknown>;

const EVENT_PREFIX = '{"Event":"';
const TASK_METRICS_KEY = '"Task Metrics":{';
const SUCCESS_REASON = '"Task End Reason":{"Reason":"Success"}';
const CLOSE_BRACE = 125;

/** Reasons Spark gives when it removed an executor on purpose (dynamic allocation), not lost. */
const INTENTIONAL_REMOVAL = /^Executor killed by driver|decommission/i;

/** Integer after `key` searching from `from`; NaN when absent. Spark writes these as plain integers. */
function intAfter(line: string, key: string, from: number): number {
  const at = line.indexOf(key, from);
  if (at < 0) return NaN;
  let i = at + key.length;
  let negative = false;
  if (line.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) {
    value = value * 10 + (c - 48);
    digits++;
  }
  if (digits === 0) return NaN;
  return negative ? -value : value;
}

/** Integer after `key` inside line[from, to), or 0 when absent. */
function intWithin(line: string, key: string, from: number, to: number): number {
  const at = line.indexOf(key, from);
  if (at < 0 || at > to) return 0;
  const value = intAfter(line, key, at);
  return Number.isNaN(value) ? 0 : value;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined || value === null ? undefined : String(value);
}

/** JVM heap + off-heap and process-tree RSS of one "Executor Metrics" object. */
function peaksOf(metrics: Json | undefined): Peaks {
  if (metrics === undefined) return { jvm: 0, rss: 0 };
  return {
    jvm: num(metrics.JVMHeapMemory) + num(metrics.JVMOffHeapMemory),
    rss:
      num(metrics.ProcessTreeJVMRSSMemory) +
      num(metrics.ProcessTreePythonRSSMemory) +
      num(metrics.ProcessTreeOtherRSSMemory),
  };
}

export class EventLogParser {
  private readonly options: Required<Omit<EventLogParseOptions, 'submittedAtMs'>> & { submittedAtMs?: number };
  private sparkAppId: string | undefined;
  private startMs: number | undefined;
  private endMs: number | undefined;
  private lastSeenMs = 0;
  private badLines = 0;
  private readonly executors = new Map<string, ExecutorState>();
  private readonly peaks = new Map<string, Peaks>();
  /** Task run times of stages still running, keyed by stageKey(). */
  private readonly running = new Map<number, TaskTimeSketch>();
  private skews: StageSkew[] = [];
  private properties: Record<string, string> = {};
  private readonly totals = {
    inputBytes: 0,
    inputRecords: 0,
    outputBytes: 0,
    outputRecords: 0,
    shuffleReadBytes: 0,
    shuffleWriteBytes: 0,
    shuffleFetchWaitMs: 0,
    memorySpillBytes: 0,
    diskSpillBytes: 0,
    executorRunTimeMs: 0,
    executorCpuTimeNs: 0,
    jvmGcTimeMs: 0,
  };
  private readonly tasks = { completed: 0, failed: 0, killed: 0 };
  private readonly stages = { completed: 0, failed: 0 };

  constructor(options: EventLogParseOptions = {}) {
    this.options = { skewedStagesLimit: 10, exactTaskTimesPerStage: 1024, ...options };
  }

  addLines(lines: readonly string[]): void {
    for (let i = 0; i < lines.length; i++) this.addLine(lines[i]!);
  }

  addLine(raw: string): void {
    let end = raw.length;
    while (end > 0 && raw.charCodeAt(end - 1) <= 32) end--;
    if (end === 0) return;
    // every event is one JSON object: a line cut short cannot end with its closing brace
    if (raw.charCodeAt(end - 1) !== CLOSE_BRACE) {
      this.badLines++;
      return;
    }
    const line = end === raw.length ? raw : raw.slice(0, end);
    let type: string;
    let parsed: Json | undefined;
    if (line.startsWith(EVENT_PREFIX)) {
      type = line.slice(EVENT_PREFIX.length, line.indexOf('"', EVENT_PREFIX.length));
    } else {
      parsed = this.parse(line);
      if (parsed === undefined) return;
      type = str(parsed.Event) ?? '';
    }
    try {
      this.dispatch(type, line, parsed);
    } catch {
      // a line that is JSON but not the event shape Spark writes: count it, keep going
      this.badLines++;
    }
  }

  private dispatch(type: string, line: string, parsed: Json | undefined): void {
    switch (type) {
      case 'SparkListenerTaskEnd':
        this.onTaskEnd(line, parsed);
        return;
      case 'SparkListenerStageCompleted':
        this.onStageCompleted(line, parsed);
        return;
      case 'SparkListenerStageExecutorMetrics':
      case 'SparkListenerExecutorMetricsUpdate':
      case 'SparkListenerExecutorAdded':
      case 'SparkListenerExecutorRemoved':
      case 'SparkListenerApplicationStart':
      case 'SparkListenerApplicationEnd':
      case 'SparkListenerEnvironmentUpdate': {
        const event = parsed ?? this.parse(line);
        if (event !== undefined) this.onRareEvent(type, event);
        return;
      }
      default:
      // events that carry no metric we report (TaskStart, JobStart, SQL, block updates...)
    }
  }

  private parse(line: string): Json | undefined {
    try {
      const value = obj(JSON.parse(line));
      if (value === undefined) this.badLines++;
      return value;
    } catch {
      this.badLines++;
      return undefined;
    }
  }

  private onRareEvent(type: string, e: Json): void {
    switch (type) {
      case 'SparkListenerApplicationStart':
        this.sparkAppId = str(e['App ID']) ?? this.sparkAppId;
        this.startMs = num(e.Timestamp) || this.startMs;
        this.seen(num(e.Timestamp));
        return;
      case 'SparkListenerApplicationEnd':
        this.endMs = num(e.Timestamp) || undefined;
        this.seen(num(e.Timestamp));
        return;
      case 'SparkListenerEnvironmentUpdate': {
        const props = obj(e['Spark Properties']);
        if (props !== undefined) {
          for (const [key, value] of Object.entries(props)) this.properties[key] = String(value);
        } else if (Array.isArray(e['Spark Properties'])) {
          // very old logs wrote the properties as [key, value] pairs
          for (const pair of e['Spark Properties'] as unknown[]) {
            if (Array.isArray(pair) && pair.length === 2) this.properties[String(pair[0])] = String(pair[1]);
          }
        }
        return;
      }
      case 'SparkListenerExecutorAdded': {
        const id = str(e['Executor ID']);
        if (id === undefined) return;
        const executor = this.executor(id);
        executor.cores = num(obj(e['Executor Info'])?.['Total Cores']) || executor.cores;
        executor.addedAt = num(e.Timestamp) || undefined;
        executor.removedAt = undefined;
        executor.removedReason = undefined;
        this.seen(num(e.Timestamp));
        return;
      }
      case 'SparkListenerExecutorRemoved': {
        const id = str(e['Executor ID']);
        if (id === undefined) return;
        const executor = this.executor(id);
        executor.removedAt = num(e.Timestamp) || undefined;
        executor.removedReason = str(e['Removed Reason']) ?? 'unknown';
        this.seen(num(e.Timestamp));
        return;
      }
      case 'SparkListenerStageExecutorMetrics':
        this.peak(str(e['Executor ID']), peaksOf(obj(e['Executor Metrics'])));
        return;
      case 'SparkListenerExecutorMetricsUpdate': {
        const updates = e['Executor Metrics Updated'];
        if (!Array.isArray(updates)) return;
        for (const update of updates) this.peak(str(e['Executor ID']), peaksOf(obj(obj(update)?.['Executor Metrics'])));
        return;
      }
    }
  }

  private onTaskEnd(line: string, parsed: Json | undefined): void {
    const record =
      (parsed === undefined && line.includes(SUCCESS_REASON) ? this.readSuccessfulTaskEnd(line) : undefined) ??
      this.readTaskEnd(parsed ?? this.parse(line));
    if (record === undefined) return;
    const t = this.totals;
    const m = record.metrics;
    if (m !== undefined) {
      t.executorRunTimeMs += num(m['Executor Run Time']);
      t.executorCpuTimeNs += num(m['Executor CPU Time']);
      t.jvmGcTimeMs += num(m['JVM GC Time']);
      t.memorySpillBytes += num(m['Memory Bytes Spilled']);
      t.diskSpillBytes += num(m['Disk Bytes Spilled']);
      const read = m['Shuffle Read Metrics'];
      if (read !== undefined) {
        t.shuffleReadBytes += num(read['Remote Bytes Read']) + num(read['Local Bytes Read']);
        t.shuffleFetchWaitMs += num(read['Fetch Wait Time']);
      }
      t.shuffleWriteBytes += num(m['Shuffle Write Metrics']?.['Shuffle Bytes Written']);
      const input = m['Input Metrics'];
      if (input !== undefined) {
        t.inputBytes += num(input['Bytes Read']);
        t.inputRecords += num(input['Records Read']);
      }
      const output = m['Output Metrics'];
      if (output !== undefined) {
        t.outputBytes += num(output['Bytes Written']);
        t.outputRecords += num(output['Records Written']);
      }
    }
    // the same split as Spark's AppStatusListener
    if (record.reason === 'Success') {
      this.tasks.completed++;
      const key = stageKey(record.stageId, record.attemptId);
      let sketch = this.running.get(key);
      if (sketch === undefined) {
        sketch = new TaskTimeSketch(this.options.exactTaskTimesPerStage);
        this.running.set(key, sketch);
      }
      sketch.add(num(m?.['Executor Run Time']));
    } else if (record.reason === 'TaskKilled' || record.reason === 'TaskCommitDenied') this.tasks.killed++;
    else this.tasks.failed++;
    if (record.executorId !== undefined) {
      const executor = this.executor(record.executorId);
      if (record.jvmBytes > 0 || record.rssBytes > 0)
        this.peak(executor.executorId, { jvm: record.jvmBytes, rss: record.rssBytes });
    }
    this.seen(record.finishTime);
  }

  /** The fast path: positions of fields Spark always writes, and one JSON.parse of "Task Metrics". */
  private readSuccessfulTaskEnd(line: string): TaskEndRecord | undefined {
    const stageId = intAfter(line, '"Stage ID":', 0);
    const attemptId = intAfter(line, '"Stage Attempt ID":', 0);
    const info = line.indexOf('"Task Info":{');
    const metricsAt = line.lastIndexOf(TASK_METRICS_KEY);
    if (Number.isNaN(stageId) || Number.isNaN(attemptId) || info < 0 || metricsAt < info) return undefined;
    const executorKey = line.indexOf('"Executor ID":"', info);
    const executorEnd = executorKey < 0 ? -1 : line.indexOf('"', executorKey + 15);
    let metrics: TaskMetricsJson | undefined;
    try {
      // "Task Metrics" is the last field Spark writes: its object runs to the event's closing brace
      metrics = JSON.parse(line.slice(metricsAt + TASK_METRICS_KEY.length - 1, line.length - 1)) as TaskMetricsJson;
    } catch {
      return undefined;
    }
    let jvmBytes = 0;
    let rssBytes = 0;
    const executorMetrics = line.indexOf('"Task Executor Metrics":{', info);
    if (executorMetrics > 0 && executorMetrics < metricsAt) {
      const close = line.indexOf('}', executorMetrics);
      jvmBytes =
        intWithin(line, '"JVMHeapMemory":', executorMetrics, close) +
        intWithin(line, '"JVMOffHeapMemory":', executorMetrics, close);
      rssBytes =
        intWithin(line, '"ProcessTreeJVMRSSMemory":', executorMetrics, close) +
        intWithin(line, '"ProcessTreePythonRSSMemory":', executorMetrics, close) +
        intWithin(line, '"ProcessTreeOtherRSSMemory":', executorMetrics, close);
    }
    const finishTime = intAfter(line, '"Finish Time":', info);
    return {
      stageId,
      attemptId,
      reason: 'Success',
      executorId: executorEnd < 0 ? undefined : line.slice(executorKey + 15, executorEnd),
      finishTime: Number.isNaN(finishTime) ? 0 : finishTime,
      metrics,
      jvmBytes,
      rssBytes,
    };
  }

  private readTaskEnd(e: Json | undefined): TaskEndRecord | undefined {
    if (e === undefined) return undefined;
    const info = obj(e['Task Info']);
    const peaks = peaksOf(obj(e['Task Executor Metrics']));
    return {
      stageId: num(e['Stage ID']),
      attemptId: num(e['Stage Attempt ID']),
      reason: str(obj(e['Task End Reason'])?.Reason) ?? 'Success',
      executorId: str(info?.['Executor ID']),
      finishTime: num(info?.['Finish Time']),
      metrics: obj(e['Task Metrics']) as TaskMetricsJson | undefined,
      jvmBytes: peaks.jvm,
      rssBytes: peaks.rss,
    };
  }

  private onStageCompleted(line: string, parsed: Json | undefined): void {
    let stageId: number;
    let attemptId: number;
    let failed: boolean;
    let completedAt: number;
    if (parsed === undefined && !line.includes('"Failure Reason":')) {
      // "Stage ID" and "Stage Attempt ID" open the Stage Info object
      stageId = intAfter(line, '"Stage ID":', 0);
      attemptId = intAfter(line, '"Stage Attempt ID":', 0);
      completedAt = intAfter(line, '"Completion Time":', 0);
      failed = false;
      if (Number.isNaN(stageId) || Number.isNaN(attemptId)) return this.onStageCompleted(line, this.parse(line));
    } else {
      const e = parsed ?? this.parse(line);
      const info = obj(e?.['Stage Info']);
      if (info === undefined) return;
      stageId = num(info['Stage ID']);
      attemptId = num(info['Stage Attempt ID']);
      completedAt = num(info['Completion Time']);
      failed = info['Failure Reason'] !== undefined;
    }
    if (failed) this.stages.failed++;
    else this.stages.completed++;
    if (!Number.isNaN(completedAt)) this.seen(completedAt);
    const key = stageKey(stageId, attemptId);
    const sketch = this.running.get(key);
    if (sketch !== undefined) {
      this.running.delete(key);
      this.recordSkew(stageId, attemptId, sketch);
    }
  }

  private recordSkew(stageId: number, attemptId: number, sketch: TaskTimeSketch): void {
    const skew = skewOf(stageId, attemptId, sketch);
    if (skew === undefined) return;
    this.skews.push(skew);
    if (this.skews.length >= 4 * this.options.skewedStagesLimit) this.skews = this.topSkews(this.skews);
  }

  private topSkews(skews: StageSkew[]): StageSkew[] {
    return skews.sort((a, b) => b.skew - a.skew || a.stageId - b.stageId).slice(0, this.options.skewedStagesLimit);
  }

  private executor(id: string): ExecutorState {
    let executor = this.executors.get(id);
    if (executor === undefined) {
      executor = { executorId: id, cores: 0 };
      this.executors.set(id, executor);
    }
    return executor;
  }

  private peak(id: string | undefined, sample: Peaks): void {
    if (id === undefined) return;
    const current = this.peaks.get(id);
    if (current === undefined) this.peaks.set(id, { ...sample });
    else {
      if (sample.jvm > current.jvm) current.jvm = sample.jvm;
      if (sample.rss > current.rss) current.rss = sample.rss;
    }
  }

  private seen(timestampMs: number): void {
    if (timestampMs > this.lastSeenMs) this.lastSeenMs = timestampMs;
  }

  /** The metrics of the lines fed so far. The parser can keep taking lines afterwards. */
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
    const t = this.totals;
    const executorCpuTimeMs = t.executorCpuTimeNs / 1e6;
    const submittedAt = this.options.submittedAtMs ?? (Number(this.properties['spark.app.submitTime']) || undefined);
    const peakJvm = Math.max(0, ...executors.map((e) => e.peakJvmMemoryBytes ?? 0));
    const peakRss = Math.max(0, ...executors.map((e) => e.peakRssBytes ?? 0));
    return {
      sparkAppId: this.sparkAppId,
      durationMs: this.startMs === undefined ? 0 : Math.max(0, endMs - startMs),
      waitBeforeStartMs:
        submittedAt === undefined || this.startMs === undefined ? undefined : Math.max(0, this.startMs - submittedAt),
      executorCoreSeconds: coreMs / 1000,
      inputBytes: t.inputBytes,
      inputRecords: t.inputRecords,
      outputBytes: t.outputBytes,
      outputRecords: t.outputRecords,
      shuffleReadBytes: t.shuffleReadBytes,
      shuffleWriteBytes: t.shuffleWriteBytes,
      shuffleFetchWaitMs: t.shuffleFetchWaitMs,
      memorySpillBytes: t.memorySpillBytes,
      diskSpillBytes: t.diskSpillBytes,
      peakJvmMemoryBytes: peakJvm > 0 ? peakJvm : undefined,
      peakRssBytes: peakRss > 0 ? peakRss : undefined,
      executorRunTimeMs: t.executorRunTimeMs,
      executorCpuTimeMs,
      jvmGcTimeMs: t.jvmGcTimeMs,
      gcTimeShare: t.executorRunTimeMs > 0 ? t.jvmGcTimeMs / t.executorRunTimeMs : 0,
      efficiency: coreMs > 0 ? t.executorRunTimeMs / coreMs : 0,
      cpuUtilization: coreMs > 0 ? executorCpuTimeMs / coreMs : 0,
      tasks: { ...this.tasks },
      stages: { ...this.stages },
      skewedStages: this.topSkews(skews),
      executors,
      executorsLost: executors
        .filter((e) => e.removedReason !== undefined && !INTENTIONAL_REMOVAL.test(e.removedReason))
        .map((e) => ({ executorId: e.executorId, reason: e.removedReason! })),
      sparkProperties: { ...this.properties },
      incomplete: this.badLines > 0 || this.endMs === undefined,
    };
  }

  /** Lines skipped because they did not parse. */
  get corruptLines(): number {
    return this.badLines;
  }

  private executorMetrics(startMs: number, endMs: number): ExecutorMetrics[] {
    return [...this.executors.values()].map((e) => {
      const peaks = this.peaks.get(e.executorId);
      return {
        executorId: e.executorId,
        // a log without ExecutorAdded (older local mode): the driver ran the tasks with local[N] cores
        cores: e.cores || this.fallbackCores(),
        addedAt: e.addedAt ?? startMs,
        removedAt: e.removedAt ?? endMs,
        removedReason: e.removedReason,
        peakJvmMemoryBytes: peaks && peaks.jvm > 0 ? peaks.jvm : undefined,
        peakRssBytes: peaks && peaks.rss > 0 ? peaks.rss : undefined,
      };
    });
  }

  private fallbackCores(): number {
    const local = /^local\[(\d+)/.exec(this.properties['spark.master'] ?? '');
    return Number(local?.[1] ?? this.properties['spark.executor.cores'] ?? 1) || 1;
  }
}

/** Stage attempts per stage id in the numeric key; Spark caps attempts far below this. */
const ATTEMPTS = 1024;

function stageKey(stageId: number, attemptId: number): number {
  return stageId * ATTEMPTS + attemptId;
}

function skewOf(stageId: number, attemptId: number, sketch: TaskTimeSketch): StageSkew | undefined {
  if (sketch.count < 2) return undefined;
  // a median under 1 ms counts as 1 ms, so stages of instant tasks do not report huge ratios
  return { stageId, attemptId, tasks: sketch.count, skew: sketch.max / Math.max(1, sketch.median()) };
}

/** Parses a whole log: lines or batches of lines, sync or async. */
export async function parseEventLog(
  source: AsyncIterable<string | readonly string[]> | Iterable<string | readonly string[]>,
  options: EventLogParseOptions = {},
): Promise<RunMetrics> {
  const parser = new EventLogParser(options);
  for await (const item of source) {
    if (typeof item === 'string') parser.addLine(item);
    else parser.addLines(item);
  }
  return parser.result();
}
