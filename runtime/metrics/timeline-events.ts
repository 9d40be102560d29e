/**
 * The event-log events the timeline needs beyond those of RunMetrics: jobs, stage submissions,
 * tasks with their launch time and failure reason, and memory peaks split by kind. Executor,
 * application and environment events are the RunMetrics decoder's own (decodeEventFull). Lines of
 * other events are skipped unread, as the fast decoder does.
 */
import type { MemoryPeaksBreakdown } from '../domain/timeline';
import {
  asNumber,
  asObject,
  asString,
  decodeEventFull,
  executorMetricSamples,
  type Json,
  taskMetricsOf,
} from './full-event-decoder';
import {
  type ApplicationEndEvent,
  type ApplicationStartEvent,
  type EnvironmentUpdateEvent,
  type ExecutorAddedEvent,
  type ExecutorRemovedEvent,
  IGNORED_LINE,
  REJECTED_LINE,
  type TaskMetrics,
  trimLineEnd,
} from './spark-events';

export interface StageInfo {
  stageId: number;
  attemptId: number;
  name: string;
  /** "Number of Tasks"; 0 when absent. */
  tasks: number;
  /** 0 when absent. */
  submittedAtMs: number;
}

export interface JobStartEvent {
  type: 'jobStart';
  jobId: number;
  submittedAtMs: number;
  description: string;
  stages: StageInfo[];
}

export interface JobEndEvent {
  type: 'jobEnd';
  jobId: number;
  completedAtMs: number;
  succeeded: boolean;
}

export interface StageSubmittedEvent {
  type: 'stageSubmitted';
  stage: StageInfo;
}

export interface StageEndEvent {
  type: 'stageEnd';
  stage: StageInfo;
  /** 0 when absent. */
  completedAtMs: number;
  failed: boolean;
}

export interface TaskDoneEvent {
  type: 'taskDone';
  stageId: number;
  attemptId: number;
  executorId: string | undefined;
  launchMs: number;
  finishMs: number;
  /** Spark's split (AppStatusListener): killed and commit-denied tasks are not failures. */
  outcome: 'success' | 'killed' | 'failed';
  /** The failure reason as logged (class, description, loss reason), for failures. */
  failure: string | undefined;
  metrics: TaskMetrics;
  peaks: MemoryPeaksBreakdown;
}

export interface ExecutorMemoryEvent {
  type: 'executorMemory';
  executorId: string;
  samples: MemoryPeaksBreakdown[];
}

export type TimelineEvent =
  | JobStartEvent
  | JobEndEvent
  | StageSubmittedEvent
  | StageEndEvent
  | TaskDoneEvent
  | ExecutorMemoryEvent
  | ExecutorAddedEvent
  | ExecutorRemovedEvent
  | ApplicationStartEvent
  | ApplicationEndEvent
  | EnvironmentUpdateEvent;

export type TimelineLine = TimelineEvent | typeof IGNORED_LINE | typeof REJECTED_LINE;

const EVENT_PREFIX = '{"Event":"';

/** Events whose fields the RunMetrics decoder already reads as the timeline needs them. */
const SHARED = new Set([
  'SparkListenerExecutorAdded',
  'SparkListenerExecutorRemoved',
  'SparkListenerApplicationStart',
  'SparkListenerApplicationEnd',
  'SparkListenerEnvironmentUpdate',
]);

const OWN = new Set([
  'SparkListenerJobStart',
  'SparkListenerJobEnd',
  'SparkListenerStageSubmitted',
  'SparkListenerStageCompleted',
  'SparkListenerTaskEnd',
  'SparkListenerStageExecutorMetrics',
  'SparkListenerExecutorMetricsUpdate',
]);

export function decodeTimelineEvent(raw: string): TimelineLine {
  const line = trimLineEnd(raw);
  if (line.length === 0) return IGNORED_LINE;
  if (line.startsWith(EVENT_PREFIX)) {
    const type = line.slice(EVENT_PREFIX.length, line.indexOf('"', EVENT_PREFIX.length));
    // an escape in the type may spell one of those read: parse it to know
    if (SHARED.has(type)) return shared(line);
    if (!OWN.has(type) && !type.includes('\\')) return IGNORED_LINE;
  }
  let event: Json | undefined;
  try {
    event = asObject(JSON.parse(line));
  } catch {
    return REJECTED_LINE;
  }
  if (event === undefined) return REJECTED_LINE;
  const type = asString(event.Event) ?? '';
  if (SHARED.has(type)) return shared(line);
  try {
    return timelineEventOf(type, event) ?? IGNORED_LINE;
  } catch {
    // JSON, but not the shape Spark writes (a value String() cannot convert)
    return REJECTED_LINE;
  }
}

function shared(line: string): TimelineLine {
  const decoded = decodeEventFull(line);
  switch (decoded.type) {
    case 'executorAdded':
    case 'executorRemoved':
    case 'applicationStart':
    case 'applicationEnd':
    case 'environmentUpdate':
    case 'ignored':
    case 'rejected':
      return decoded;
    default:
      return IGNORED_LINE;
  }
}

function timelineEventOf(type: string, e: Json): TimelineEvent | undefined {
  switch (type) {
    case 'SparkListenerJobStart': {
      const stages = (Array.isArray(e['Stage Infos']) ? e['Stage Infos'] : []).map((s) => stageInfoOf(asObject(s)));
      const properties = asObject(e.Properties);
      const last = stages.reduce<StageInfo | undefined>((a, s) => (a && a.stageId > s.stageId ? a : s), undefined);
      return {
        type: 'jobStart',
        jobId: asNumber(e['Job ID']),
        submittedAtMs: asNumber(e['Submission Time']),
        description: asString(properties?.['spark.job.description']) ?? last?.name ?? '',
        stages,
      };
    }
    case 'SparkListenerJobEnd':
      return {
        type: 'jobEnd',
        jobId: asNumber(e['Job ID']),
        completedAtMs: asNumber(e['Completion Time']),
        succeeded: asString(asObject(e['Job Result'])?.Result) === 'JobSucceeded',
      };
    case 'SparkListenerStageSubmitted':
      return { type: 'stageSubmitted', stage: stageInfoOf(asObject(e['Stage Info'])) };
    case 'SparkListenerStageCompleted': {
      const info = asObject(e['Stage Info']);
      if (info === undefined) return undefined;
      return {
        type: 'stageEnd',
        stage: stageInfoOf(info),
        completedAtMs: asNumber(info['Completion Time']),
        failed: info['Failure Reason'] !== undefined,
      };
    }
    case 'SparkListenerTaskEnd': {
      const info = asObject(e['Task Info']);
      const reason = asObject(e['Task End Reason']);
      const name = asString(reason?.Reason) ?? 'Success';
      const outcome =
        name === 'Success' ? 'success' : name === 'TaskKilled' || name === 'TaskCommitDenied' ? 'killed' : 'failed';
      return {
        type: 'taskDone',
        stageId: asNumber(e['Stage ID']),
        attemptId: asNumber(e['Stage Attempt ID']),
        executorId: asString(info?.['Executor ID']),
        launchMs: asNumber(info?.['Launch Time']),
        finishMs: asNumber(info?.['Finish Time']),
        outcome,
        failure: outcome === 'failed' ? failureText(name, reason) : undefined,
        metrics: taskMetricsOf(asObject(e['Task Metrics'])),
        peaks: memoryOf(asObject(e['Task Executor Metrics'])),
      };
    }
    case 'SparkListenerStageExecutorMetrics':
    case 'SparkListenerExecutorMetricsUpdate': {
      const sampled = executorMetricSamples(e, memoryOf);
      return sampled && { type: 'executorMemory', ...sampled };
    }
    default:
      return undefined;
  }
}

function stageInfoOf(info: Json | undefined): StageInfo {
  return {
    stageId: asNumber(info?.['Stage ID']),
    attemptId: asNumber(info?.['Stage Attempt ID']),
    name: asString(info?.['Stage Name']) ?? '',
    tasks: asNumber(info?.['Number of Tasks']),
    submittedAtMs: asNumber(info?.['Submission Time']),
  };
}

/** "ExceptionFailure: java.lang.OutOfMemoryError: Java heap space", "ExecutorLostFailure: <loss reason>". */
function failureText(name: string, reason: Json | undefined): string {
  const parts = [reason?.['Class Name'], reason?.Description, reason?.['Loss Reason']]
    .map((p) => asString(p))
    .filter((p): p is string => p !== undefined && p !== '');
  return [name, ...parts].join(': ');
}

function memoryOf(m: Json | undefined): MemoryPeaksBreakdown {
  return {
    jvmHeapBytes: asNumber(m?.JVMHeapMemory),
    jvmOffHeapBytes: asNumber(m?.JVMOffHeapMemory),
    pythonBytes: asNumber(m?.ProcessTreePythonRSSMemory),
    otherBytes: asNumber(m?.ProcessTreeOtherRSSMemory),
    jvmRssBytes: asNumber(m?.ProcessTreeJVMRSSMemory),
  };
}
