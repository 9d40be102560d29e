import { describe, expect, it } from 'vitest';
import { emptyRunMetrics } from '../domain/metrics';
import { EventLogParser, parseEventLog } from './event-log-parser';
import {
  appEnd,
  appStart,
  environment,
  executorAdded,
  executorRemoved,
  stageCompleted,
  stageExecutorMetrics,
  taskEnd,
} from './event-log-fixtures';

const T0 = 1_700_000_000_000;

/** Two executors of 4 cores; executor 2 lost after 50 s; the app runs 100 s. */
function clusterLog(): string[] {
  return [
    JSON.stringify({ Event: 'SparkListenerLogStart', 'Spark Version': '4.0.1' }),
    environment({
      'spark.master': 'k8s://x',
      'spark.executor.memory': '4g',
      'spark.app.submitTime': String(T0 - 5000),
    }),
    appStart(T0),
    executorAdded('1', 4, T0),
    executorAdded('2', 4, T0),
    JSON.stringify({ Event: 'SparkListenerJobStart', 'Job ID': 0, 'Submission Time': T0, 'Stage Infos': [] }),
    taskEnd({
      stageId: 0,
      executorId: '1',
      runTimeMs: 1000,
      cpuTimeNs: 800e6,
      gcMs: 100,
      inputBytes: 500,
      inputRecords: 5,
      shuffleWrite: 70,
    }),
    taskEnd({
      stageId: 0,
      executorId: '2',
      runTimeMs: 3000,
      cpuTimeNs: 1200e6,
      gcMs: 200,
      inputBytes: 700,
      inputRecords: 7,
      shuffleWrite: 30,
    }),
    taskEnd({
      stageId: 0,
      executorId: '1',
      runTimeMs: 2000,
      cpuTimeNs: 1000e6,
      gcMs: 0,
      memorySpill: 4096,
      diskSpill: 1024,
    }),
    stageExecutorMetrics('1', { JVMHeapMemory: 300, JVMOffHeapMemory: 200, ProcessTreeJVMRSSMemory: 900 }),
    stageExecutorMetrics('2', { JVMHeapMemory: 100, JVMOffHeapMemory: 50 }),
    stageCompleted(0),
    executorRemoved('2', T0 + 50_000, 'Container lost: node preempted'),
    taskEnd({
      stageId: 1,
      executorId: '1',
      reason: {
        Reason: 'ExceptionFailure',
        'Class Name': 'java.lang.RuntimeException',
        Description: 'boom',
        'Stack Trace': [],
      },
      runTimeMs: 400,
    }),
    taskEnd({
      stageId: 1,
      executorId: '1',
      reason: { Reason: 'TaskKilled', 'Kill Reason': 'another attempt succeeded' },
      runTimeMs: 100,
    }),
    taskEnd({
      stageId: 1,
      executorId: '1',
      remoteRead: 60,
      localRead: 40,
      fetchWaitMs: 7,
      outputBytes: 900,
      outputRecords: 9,
      runTimeMs: 500,
    }),
    stageCompleted(1, 0, 'Job aborted'),
    JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd',
      executionId: 0,
      time: T0,
    }),
    appEnd(T0 + 100_000),
  ];
}

describe('EventLogParser', () => {
  it('computes the run totals, shares and executor figures of a complete log', async () => {
    expect(await parseEventLog(clusterLog())).toEqual({
      ...emptyRunMetrics(),
      sparkAppId: 'app-1',
      durationMs: 100_000,
      waitBeforeStartMs: 5000,
      // 4 cores x 100 s + 4 cores x 50 s
      executorCoreSeconds: 600,
      inputBytes: 1200,
      inputRecords: 12,
      outputBytes: 900,
      outputRecords: 9,
      shuffleReadBytes: 100,
      shuffleWriteBytes: 100,
      shuffleFetchWaitMs: 7,
      memorySpillBytes: 4096,
      diskSpillBytes: 1024,
      peakJvmMemoryBytes: 500,
      peakRssBytes: 900,
      executorRunTimeMs: 7000,
      // CPU time is logged in ns: 800 + 1200 + 1000 + 3 x 50 ms
      executorCpuTimeMs: expect.closeTo(3150),
      jvmGcTimeMs: 330,
      gcTimeShare: expect.closeTo(330 / 7000),
      efficiency: expect.closeTo(7 / 600),
      cpuUtilization: expect.closeTo(3.15 / 600),
      tasks: { completed: 4, failed: 1, killed: 1 },
      stages: { completed: 1, failed: 1 },
      // stage 0: run times 1000, 3000, 2000 -> max 3000 / median 2000; data 500, 700, 0 bytes and 5, 7, 0 records
      skewedStages: [
        {
          stageId: 0,
          attemptId: 0,
          tasks: 3,
          skew: 1.5,
          medianTaskBytes: 500,
          maxTaskBytes: 700,
          medianTaskRecords: 5,
          maxTaskRecords: 7,
        },
      ],
      // stage 1 failed: the model replays completed stages only
      stageTimings: [
        { stageId: 0, tasks: 3, taskTimeMs: 6000, maxTaskMs: 3000, shuffleReadBytes: 0, inputBytes: 1200 },
      ],
      executors: [
        { executorId: '1', cores: 4, addedAt: T0, removedAt: T0 + 100_000, peakJvmMemoryBytes: 500, peakRssBytes: 900 },
        {
          executorId: '2',
          cores: 4,
          addedAt: T0,
          removedAt: T0 + 50_000,
          removedReason: 'Container lost: node preempted',
          peakJvmMemoryBytes: 150,
        },
      ],
      executorsLost: [{ executorId: '2', reason: 'Container lost: node preempted' }],
      sparkProperties: {
        'spark.master': 'k8s://x',
        'spark.executor.memory': '4g',
        'spark.app.submitTime': String(T0 - 5000),
      },
    });
  });

  it('prefers the submission time it is given over spark.app.submitTime', async () => {
    const m = await parseEventLog(clusterLog(), { submittedAtMs: T0 - 42 });
    expect(m.waitBeforeStartMs).toBe(42);
  });

  it('reads every event the same when Spark did not write "Event" first (the full-parse path)', async () => {
    const reordered = clusterLog().map((line) => {
      const { Event, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify({ ...rest, Event });
    });
    expect(await parseEventLog(reordered)).toEqual(await parseEventLog(clusterLog()));
  });

  it('tolerates logs of older Spark versions: no CPU time, no I/O metrics, no ExecutorAdded in local mode', async () => {
    const old = (stageId: number, runTimeMs: number) =>
      JSON.stringify({
        Event: 'SparkListenerTaskEnd',
        'Stage ID': stageId,
        'Stage Attempt ID': 0,
        'Task Type': 'ResultTask',
        'Task End Reason': { Reason: 'Success' },
        'Task Info': { 'Task ID': 1, 'Launch Time': T0, 'Executor ID': 'driver', 'Finish Time': T0 + runTimeMs },
        'Task Metrics': { 'Executor Run Time': runTimeMs, 'JVM GC Time': 5 },
      });
    const m = await parseEventLog([
      environment({ 'spark.master': 'local[3]' }),
      appStart(T0),
      old(0, 1000),
      old(0, 2000),
      JSON.stringify({ Event: 'SparkListenerStageCompleted', 'Stage Info': { 'Stage ID': 0, 'Stage Attempt ID': 0 } }),
      appEnd(T0 + 10_000),
    ]);
    expect(m).toEqual({
      ...emptyRunMetrics(),
      sparkAppId: 'app-1',
      durationMs: 10_000,
      executorCoreSeconds: 30,
      executorRunTimeMs: 3000,
      jvmGcTimeMs: 10,
      gcTimeShare: 10 / 3000,
      efficiency: 0.1,
      tasks: { completed: 2, failed: 0, killed: 0 },
      stages: { completed: 1, failed: 0 },
      // no I/O metrics in an old log: no data per task either
      skewedStages: [
        {
          stageId: 0,
          attemptId: 0,
          tasks: 2,
          skew: 2000 / 1500,
          medianTaskBytes: 0,
          maxTaskBytes: 0,
          medianTaskRecords: 0,
          maxTaskRecords: 0,
        },
      ],
      stageTimings: [{ stageId: 0, tasks: 2, taskTimeMs: 3000, maxTaskMs: 2000, shuffleReadBytes: 0, inputBytes: 0 }],
      // no ExecutorAdded: the driver, with the cores of local[3], for the whole run
      executors: [{ executorId: 'driver', cores: 3, addedAt: T0, removedAt: T0 + 10_000 }],
      sparkProperties: { 'spark.master': 'local[3]' },
    });
  });

  it('ignores events it does not know', async () => {
    const base = await parseEventLog(clusterLog());
    const noisy = clusterLog().flatMap((line) => [
      line,
      JSON.stringify({
        Event: 'com.example.MyListenerEvent',
        payload: { 'Task Metrics': { 'Executor Run Time': 1e9 } },
      }),
    ]);
    expect(await parseEventLog(noisy)).toEqual(base);
  });

  it('gives the metrics of the complete lines and incomplete: true when the last line is cut', async () => {
    const lines = clusterLog().slice(0, 8);
    const cut = taskEnd({ runTimeMs: 99_999 });
    const m = await parseEventLog([...lines, cut.slice(0, cut.length - 40)]);
    expect(m.incomplete).toBe(true);
    expect(m.tasks.completed).toBe(2);
    expect(m.executorRunTimeMs).toBe(4000);
    // no application end: the run lasts until the last event seen
    expect(m.durationMs).toBe(0);
  });

  it('skips a corrupt line in the middle, counts the rest and flags the log', async () => {
    const lines = clusterLog();
    const corrupt = [...lines.slice(0, 7), '{"Event":"SparkListenerTaskEnd","Stage ID":0,garbage}', ...lines.slice(7)];
    const parser = new EventLogParser();
    parser.addLines(corrupt);
    const m = parser.result();
    expect(parser.corruptLines).toBe(1);
    expect(m.incomplete).toBe(true);
    expect(m.tasks.completed).toBe(4);
    expect(m.executorRunTimeMs).toBe(7000);
  });

  it('handles a corrupt successful TaskEnd whose Task Metrics object is broken', async () => {
    const good = taskEnd({ runTimeMs: 10 });
    const broken = good.replace('"Executor Run Time":10', '"Executor Run Time":1x0');
    const m = await parseEventLog([appStart(T0), broken, good, appEnd(T0 + 1)]);
    expect(m.tasks.completed).toBe(1);
    expect(m.incomplete).toBe(true);
  });

  it('keeps peak memory from the executor metrics of each task', async () => {
    const m = await parseEventLog([
      executorAdded('1', 1, T0),
      taskEnd({
        executorId: '1',
        executorMetrics: {
          JVMHeapMemory: 1000,
          JVMOffHeapMemory: 24,
          ProcessTreeJVMRSSMemory: 4000,
          ProcessTreePythonRSSMemory: 96,
        },
      }),
      taskEnd({ executorId: '1', executorMetrics: { JVMHeapMemory: 10, JVMOffHeapMemory: 0 } }),
    ]);
    expect(m.executors[0]).toMatchObject({ peakJvmMemoryBytes: 1024, peakRssBytes: 4096 });
    expect(m.peakJvmMemoryBytes).toBe(1024);
  });

  it('reports the most skewed stages first, up to the limit, including stages that never completed', async () => {
    const lines: string[] = [appStart(T0)];
    for (let stage = 0; stage < 5; stage++) {
      for (const run of [100, 100, 100 * (stage + 2)]) lines.push(taskEnd({ stageId: stage, runTimeMs: run }));
      if (stage !== 4) lines.push(stageCompleted(stage));
    }
    const m = await parseEventLog(lines, { skewedStagesLimit: 2 });
    expect(m.skewedStages.map((s) => [s.stageId, s.skew])).toEqual([
      [4, 6],
      [3, 5],
    ]);
  });
});

describe('data per task', () => {
  it('tells tiny tasks with one slow among them from a stage whose data is skewed', async () => {
    // 400 tasks reading 1-6 KB, one of them slow: the time is skewed, the data is not
    const tiny = Array.from({ length: 400 }, (_, i) =>
      taskEnd({ stageId: 3, taskId: i, runTimeMs: i === 7 ? 3880 : 100, remoteRead: 1024 * (1 + (i % 6)) }),
    );
    // 20 tasks, one reading 40x the others
    const skewed = Array.from({ length: 20 }, (_, i) =>
      taskEnd({
        stageId: 4,
        taskId: 1000 + i,
        runTimeMs: i === 0 ? 40_000 : 1000,
        remoteRead: (i === 0 ? 40 : 1) * 64 * 1024 * 1024,
        inputRecords: i === 0 ? 4_000_000 : 100_000,
      }),
    );
    const m = await parseEventLog([
      appStart(T0),
      ...tiny,
      stageCompleted(3),
      ...skewed,
      stageCompleted(4),
      appEnd(T0 + 60_000),
    ]);
    const stage3 = m.skewedStages.find((s) => s.stageId === 3)!;
    expect(stage3.skew).toBeCloseTo(38.8);
    expect(stage3.maxTaskBytes).toBe(6 * 1024);
    expect(stage3.medianTaskBytes! / 1024).toBeGreaterThanOrEqual(3);
    expect(stage3.medianTaskBytes! / 1024).toBeLessThanOrEqual(4);
    const stage4 = m.skewedStages.find((s) => s.stageId === 4)!;
    expect(stage4.maxTaskBytes! / stage4.medianTaskBytes!).toBe(40);
    expect(stage4.maxTaskRecords! / stage4.medianTaskRecords!).toBe(40);
  });
});
