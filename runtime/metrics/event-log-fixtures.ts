/**
 * Synthetic Spark event-log lines for tests, in the field order Spark 4's JsonProtocol writes,
 * built from defaults plus overrides.
 */

export interface TaskOptions {
  stageId?: number;
  attemptId?: number;
  taskId?: number;
  executorId?: string;
  reason?: Record<string, unknown>;
  launchMs?: number;
  finishMs?: number;
  runTimeMs?: number;
  cpuTimeNs?: number;
  gcMs?: number;
  memorySpill?: number;
  diskSpill?: number;
  inputBytes?: number;
  inputRecords?: number;
  outputBytes?: number;
  outputRecords?: number;
  remoteRead?: number;
  localRead?: number;
  fetchWaitMs?: number;
  shuffleWrite?: number;
  executorMetrics?: Record<string, number>;
}

export function taskEnd(o: TaskOptions = {}): string {
  const event: Record<string, unknown> = {
    Event: 'SparkListenerTaskEnd',
    'Stage ID': o.stageId ?? 0,
    'Stage Attempt ID': o.attemptId ?? 0,
    'Task Type': 'ResultTask',
    'Task End Reason': o.reason ?? { Reason: 'Success' },
    'Task Info': {
      'Task ID': o.taskId ?? 0,
      Index: 0,
      Attempt: 0,
      'Partition ID': 0,
      'Launch Time': o.launchMs ?? 1000,
      'Executor ID': o.executorId ?? '1',
      Host: 'h',
      Locality: 'PROCESS_LOCAL',
      Speculative: false,
      'Getting Result Time': 0,
      'Finish Time': o.finishMs ?? 2000,
      Failed: false,
      Killed: false,
      Accumulables: [{ ID: 1, Name: 'internal.metrics.executorRunTime', Update: 5, Value: 5, Internal: true }],
    },
    'Task Executor Metrics': o.executorMetrics ?? { JVMHeapMemory: 0, JVMOffHeapMemory: 0, ProcessTreeJVMRSSMemory: 0 },
    'Task Metrics': {
      'Executor Deserialize Time': 1,
      'Executor Run Time': o.runTimeMs ?? 100,
      'Executor CPU Time': o.cpuTimeNs ?? 50_000_000,
      'Result Size': 10,
      'JVM GC Time': o.gcMs ?? 10,
      'Memory Bytes Spilled': o.memorySpill ?? 0,
      'Disk Bytes Spilled': o.diskSpill ?? 0,
      'Shuffle Read Metrics': {
        'Remote Blocks Fetched': 0,
        'Local Blocks Fetched': 0,
        'Fetch Wait Time': o.fetchWaitMs ?? 0,
        'Remote Bytes Read': o.remoteRead ?? 0,
        'Local Bytes Read': o.localRead ?? 0,
        'Total Records Read': 0,
      },
      'Shuffle Write Metrics': { 'Shuffle Bytes Written': o.shuffleWrite ?? 0, 'Shuffle Write Time': 0 },
      'Input Metrics': { 'Bytes Read': o.inputBytes ?? 0, 'Records Read': o.inputRecords ?? 0 },
      'Output Metrics': { 'Bytes Written': o.outputBytes ?? 0, 'Records Written': o.outputRecords ?? 0 },
      'Updated Blocks': [],
    },
  };
  return JSON.stringify(event);
}

export function stageCompleted(stageId: number, attemptId = 0, failureReason?: string, completionMs = 3000): string {
  return JSON.stringify({
    Event: 'SparkListenerStageCompleted',
    'Stage Info': {
      'Stage ID': stageId,
      'Stage Attempt ID': attemptId,
      'Stage Name': 'count at x.py:1',
      'Number of Tasks': 2,
      'RDD Info': [],
      'Submission Time': 1000,
      'Completion Time': completionMs,
      ...(failureReason === undefined ? {} : { 'Failure Reason': failureReason }),
      Accumulables: [],
    },
    Properties: {},
  });
}

export const appStart = (timestampMs: number, appId = 'app-1'): string =>
  JSON.stringify({
    Event: 'SparkListenerApplicationStart',
    'App Name': 'a',
    'App ID': appId,
    Timestamp: timestampMs,
    User: 'u',
  });

export const appEnd = (timestampMs: number): string =>
  JSON.stringify({ Event: 'SparkListenerApplicationEnd', Timestamp: timestampMs, ExitCode: 0 });

export const executorAdded = (id: string, cores: number, timestampMs: number): string =>
  JSON.stringify({
    Event: 'SparkListenerExecutorAdded',
    Timestamp: timestampMs,
    'Executor ID': id,
    'Executor Info': { Host: 'h', 'Total Cores': cores, 'Log Urls': {} },
  });

export const executorRemoved = (id: string, timestampMs: number, reason: string): string =>
  JSON.stringify({
    Event: 'SparkListenerExecutorRemoved',
    Timestamp: timestampMs,
    'Executor ID': id,
    'Removed Reason': reason,
  });

export const environment = (props: Record<string, string>): string =>
  JSON.stringify({
    Event: 'SparkListenerEnvironmentUpdate',
    'JVM Information': {},
    'Spark Properties': props,
    'Hadoop Properties': {},
  });

export const stageExecutorMetrics = (executorId: string, metrics: Record<string, number>): string =>
  JSON.stringify({
    Event: 'SparkListenerStageExecutorMetrics',
    'Executor ID': executorId,
    'Stage ID': 0,
    'Stage Attempt ID': 0,
    'Executor Metrics': metrics,
  });

export const jobStart = (jobId: number, submittedMs: number, stageIds: number[], description?: string): string =>
  JSON.stringify({
    Event: 'SparkListenerJobStart',
    'Job ID': jobId,
    'Submission Time': submittedMs,
    'Stage Infos': stageIds.map((id) => ({
      'Stage ID': id,
      'Stage Attempt ID': 0,
      'Stage Name': `stage ${id} at x.py:${id}`,
      'Number of Tasks': 2,
      'RDD Info': [],
    })),
    'Stage IDs': stageIds,
    Properties: description === undefined ? {} : { 'spark.job.description': description },
  });

export const jobEnd = (jobId: number, completedMs: number, succeeded = true): string =>
  JSON.stringify({
    Event: 'SparkListenerJobEnd',
    'Job ID': jobId,
    'Completion Time': completedMs,
    'Job Result': succeeded ? { Result: 'JobSucceeded' } : { Result: 'JobFailed', Exception: { Message: 'boom' } },
  });

export const stageSubmitted = (stageId: number, submittedMs: number, tasks = 2, attemptId = 0): string =>
  JSON.stringify({
    Event: 'SparkListenerStageSubmitted',
    'Stage Info': {
      'Stage ID': stageId,
      'Stage Attempt ID': attemptId,
      'Stage Name': `stage ${stageId} at x.py:${stageId}`,
      'Number of Tasks': tasks,
      'RDD Info': [],
      'Submission Time': submittedMs,
      Accumulables: [],
    },
    Properties: {},
  });
