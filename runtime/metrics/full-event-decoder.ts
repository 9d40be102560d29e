/**
 * The full decoder: JSON.parse of the whole line, then the fields the metrics need. It reads any
 * field order and any Spark version; the fast decoder falls back on it, and the tests hold the
 * fast one to its results.
 */
import {
  type DecodedLine,
  IGNORED_LINE,
  type MemoryPeaks,
  PYTHON_RUN_TIME_METRIC,
  REJECTED_LINE,
  type SparkEvent,
  type TaskMetrics,
  trimLineEnd,
} from './spark-events';

export type Json = Record<string, unknown>;

export function decodeEventFull(raw: string): DecodedLine {
  const line = trimLineEnd(raw);
  if (line.length === 0) return IGNORED_LINE;
  let event: Json | undefined;
  try {
    event = asObject(JSON.parse(line));
  } catch {
    return REJECTED_LINE;
  }
  if (event === undefined) return REJECTED_LINE;
  try {
    return sparkEventOf(event) ?? IGNORED_LINE;
  } catch {
    // JSON, but not the shape Spark writes: a value String() cannot convert ({"toString":1})
    return REJECTED_LINE;
  }
}

function sparkEventOf(e: Json): SparkEvent | undefined {
  switch (asString(e.Event)) {
    case 'SparkListenerTaskEnd': {
      const info = asObject(e['Task Info']);
      return {
        type: 'taskEnd',
        stageId: asNumber(e['Stage ID']),
        attemptId: asNumber(e['Stage Attempt ID']),
        reason: asString(asObject(e['Task End Reason'])?.Reason) ?? 'Success',
        executorId: asString(info?.['Executor ID']),
        finishTimeMs: asNumber(info?.['Finish Time']),
        metrics: taskMetricsOf(asObject(e['Task Metrics'])),
        peaks: peaksOf(asObject(e['Task Executor Metrics'])),
        pythonWorkerMs: pythonWorkerMsOf(info?.Accumulables),
      };
    }
    case 'SparkListenerStageCompleted': {
      const info = asObject(e['Stage Info']);
      if (info === undefined) return undefined;
      return {
        type: 'stageCompleted',
        stageId: asNumber(info['Stage ID']),
        attemptId: asNumber(info['Stage Attempt ID']),
        completedAtMs: asNumber(info['Completion Time']),
        submittedAtMs: asNumber(info['Submission Time']),
        failed: info['Failure Reason'] !== undefined,
      };
    }
    case 'SparkListenerExecutorAdded': {
      const executorId = asString(e['Executor ID']);
      if (executorId === undefined) return undefined;
      const cores = asNumber(asObject(e['Executor Info'])?.['Total Cores']);
      return { type: 'executorAdded', executorId, cores, timestampMs: asNumber(e.Timestamp) };
    }
    case 'SparkListenerExecutorRemoved': {
      const executorId = asString(e['Executor ID']);
      if (executorId === undefined) return undefined;
      const reason = asString(e['Removed Reason']) ?? 'unknown';
      return { type: 'executorRemoved', executorId, timestampMs: asNumber(e.Timestamp), reason };
    }
    case 'SparkListenerStageExecutorMetrics':
    case 'SparkListenerExecutorMetricsUpdate': {
      const sampled = executorMetricSamples(e, peaksOf);
      return sampled && { type: 'executorPeaks', ...sampled };
    }
    case 'SparkListenerApplicationStart':
      return { type: 'applicationStart', sparkAppId: asString(e['App ID']), timestampMs: asNumber(e.Timestamp) };
    case 'SparkListenerApplicationEnd':
      return { type: 'applicationEnd', timestampMs: asNumber(e.Timestamp) };
    case 'SparkListenerEnvironmentUpdate':
      return { type: 'environmentUpdate', sparkProperties: sparkPropertiesOf(e['Spark Properties']) };
    default:
      return undefined;
  }
}

/** The sum of the task's updates of the Python workers' run-time metric, ms (Spark writes them as strings). */
function pythonWorkerMsOf(accumulables: unknown): number {
  if (!Array.isArray(accumulables)) return 0;
  let total = 0;
  for (const value of accumulables) {
    const a = asObject(value);
    if (a?.Name !== PYTHON_RUN_TIME_METRIC) continue;
    const update = typeof a.Update === 'string' && /^\d{1,15}$/.test(a.Update) ? Number(a.Update) : asNumber(a.Update);
    total += update;
  }
  return total;
}

/** "Spark Properties": an object, or in very old logs a list of [key, value] pairs. */
function sparkPropertiesOf(value: unknown): Record<string, string> {
  const properties = asObject(value);
  // fromEntries, not assignment: a "__proto__" key stays a property
  if (properties !== undefined) return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, String(v)]));
  if (!Array.isArray(value)) return {};
  const pairs = value.filter((pair): pair is unknown[] => Array.isArray(pair) && pair.length === 2);
  return Object.fromEntries(pairs.map(([k, v]) => [String(k), String(v)]));
}

/** "Task Metrics" as Spark writes it; older versions miss some fields. */
export function taskMetricsOf(m: Json | undefined): TaskMetrics {
  const read = asObject(m?.['Shuffle Read Metrics']);
  const input = asObject(m?.['Input Metrics']);
  const output = asObject(m?.['Output Metrics']);
  return {
    runTimeMs: asNumber(m?.['Executor Run Time']),
    cpuTimeNs: asNumber(m?.['Executor CPU Time']),
    gcTimeMs: asNumber(m?.['JVM GC Time']),
    memorySpillBytes: asNumber(m?.['Memory Bytes Spilled']),
    diskSpillBytes: asNumber(m?.['Disk Bytes Spilled']),
    shuffleReadBytes: asNumber(read?.['Remote Bytes Read']) + asNumber(read?.['Local Bytes Read']),
    shuffleFetchWaitMs: asNumber(read?.['Fetch Wait Time']),
    shuffleWriteBytes: asNumber(asObject(m?.['Shuffle Write Metrics'])?.['Shuffle Bytes Written']),
    inputBytes: asNumber(input?.['Bytes Read']),
    inputRecords: asNumber(input?.['Records Read']),
    outputBytes: asNumber(output?.['Bytes Written']),
    outputRecords: asNumber(output?.['Records Written']),
  };
}

/**
 * The executor and its memory samples of a StageExecutorMetrics (one sample) or an
 * ExecutorMetricsUpdate (one per stage it updates) event, each sample read by `sampleOf`.
 */
export function executorMetricSamples<S>(
  e: Json,
  sampleOf: (metrics: Json | undefined) => S,
): { executorId: string; samples: S[] } | undefined {
  const executorId = asString(e['Executor ID']);
  if (executorId === undefined) return undefined;
  if (e.Event === 'SparkListenerStageExecutorMetrics') {
    return { executorId, samples: [sampleOf(asObject(e['Executor Metrics']))] };
  }
  const updates = e['Executor Metrics Updated'];
  if (!Array.isArray(updates)) return undefined;
  return { executorId, samples: updates.map((update) => sampleOf(asObject(asObject(update)?.['Executor Metrics']))) };
}

/** The peaks of one "Executor Metrics" (or "Task Executor Metrics") object. */
function peaksOf(metrics: Json | undefined): MemoryPeaks {
  return memoryPeaks(
    asNumber(metrics?.JVMHeapMemory),
    asNumber(metrics?.JVMOffHeapMemory),
    asNumber(metrics?.ProcessTreeJVMRSSMemory),
    asNumber(metrics?.ProcessTreePythonRSSMemory),
    asNumber(metrics?.ProcessTreeOtherRSSMemory),
  );
}

/** The one place the sums are made, so both decoders add in the same order. */
export function memoryPeaks(
  heapBytes: number,
  offHeapBytes: number,
  jvmRssBytes: number,
  pythonRssBytes: number,
  otherRssBytes: number,
): MemoryPeaks {
  return {
    jvmBytes: heapBytes + offHeapBytes,
    rssBytes: jvmRssBytes + pythonRssBytes + otherRssBytes,
    pythonRssBytes,
  };
}

export function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined || value === null ? undefined : String(value);
}
