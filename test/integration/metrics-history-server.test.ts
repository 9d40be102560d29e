/**
 * The runtime's metrics against Spark's own accounting: real applications on local Spark, then
 * Spark's History Server on the same event logs; the totals must be equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunMetrics } from '../../runtime/adapters/eventlog/read-event-log';
import type { RunMetrics } from '../../runtime/domain/metrics';
import { runSparkApp, startHistoryServer, type HistoryServer } from '../support/history-server';

/** Reads and writes parquet, shuffles, and sorts with a forced spill threshold: every metric moves. */
const SHUFFLE_SPILL_APP = `
import sys
from pyspark.sql import SparkSession
out = sys.argv[1]
spark = SparkSession.builder.appName("metrics-shuffle-spill").getOrCreate()
spark.range(0, 200000, 1, 3).selectExpr("id", "id % 97 as k", "cast(rand(7) * 1000 as int) as v").write.parquet(out + "/in")
data = spark.read.parquet(out + "/in")
data.groupBy("k").sum("v").write.parquet(out + "/agg")
data.orderBy("v", "id").write.parquet(out + "/sorted")
spark.stop()
`;

/** A tiny run, for the other codecs and layouts. */
const TINY_APP = `
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("metrics-tiny").getOrCreate()
spark.range(0, 5000, 1, 2).selectExpr("id % 7 as k").groupBy("k").count().collect()
spark.stop()
`;

interface StageData {
  status: string;
  numCompleteTasks: number;
  numFailedTasks: number;
  numKilledTasks: number;
  executorRunTime: number;
  executorCpuTime: number;
  jvmGcTime: number;
  inputBytes: number;
  inputRecords: number;
  outputBytes: number;
  outputRecords: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  shuffleFetchWaitTime: number;
  memoryBytesSpilled: number;
  diskBytesSpilled: number;
}

interface ExecutorSummary {
  id: string;
  totalCores: number;
  totalInputBytes: number;
  totalShuffleRead: number;
  totalShuffleWrite: number;
  completedTasks: number;
  failedTasks: number;
  peakMemoryMetrics?: { JVMHeapMemory: number; JVMOffHeapMemory: number };
}

const runs: { name: string; path: string; submittedAtMs: number; metrics?: RunMetrics }[] = [];
let logDir: string;
let history: HistoryServer | undefined;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'sparkplane-metrics-hs-'));
  const lowMemory = {
    'spark.sql.shuffle.partitions': '4',
    'spark.sql.adaptive.coalescePartitions.enabled': 'false',
    // spill after 5000 records whatever the memory: spill on a tiny data set
    'spark.shuffle.spill.numElementsForceSpillThreshold': '5000',
    'spark.driver.memory': '512m',
    'spark.eventLog.logStageExecutorMetrics': 'true',
    // memory sampled at every task rather than at heartbeats: the peaks compared below always exist
    'spark.executor.metrics.pollingInterval': '100ms',
  };
  // Spark 4 defaults: a rolling eventlog_v2_* directory of zstd files
  const spill = await runSparkApp(SHUFFLE_SPILL_APP, logDir, lowMemory);
  runs.push({
    name: 'shuffle+spill, rolling zstd (Spark 4 default)',
    path: spill.eventLogPath,
    submittedAtMs: spill.submittedAtMs,
  });
  const lz4 = await runSparkApp(TINY_APP, logDir, {
    'spark.eventLog.rolling.enabled': 'false',
    'spark.eventLog.compression.codec': 'lz4',
  });
  runs.push({ name: 'single lz4 file', path: lz4.eventLogPath, submittedAtMs: lz4.submittedAtMs });
  const snappy = await runSparkApp(TINY_APP, logDir, { 'spark.eventLog.compression.codec': 'snappy' });
  runs.push({ name: 'rolling snappy', path: snappy.eventLogPath, submittedAtMs: snappy.submittedAtMs });
  for (const run of runs) run.metrics = await readRunMetrics(run.path, { submittedAtMs: run.submittedAtMs });
  history = await startHistoryServer(
    logDir,
    runs.map((r) => r.metrics!.sparkAppId!),
  );
}, 600_000);

afterAll(() => {
  history?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

const sum = <T>(items: T[], field: (item: T) => number) => items.reduce((total, item) => total + field(item), 0);

describe('metrics from event logs agree with the Spark History Server', () => {
  it('read a log in each layout and codec', () => {
    expect(
      runs.map((r) =>
        r.path
          .split('/')
          .pop()!
          .replace(/local-\d+/, 'ID'),
      ),
    ).toEqual(['eventlog_v2_ID', 'ID.lz4', 'eventlog_v2_ID']);
    for (const run of runs) {
      expect(run.metrics!.incomplete, run.name).toBe(false);
      expect(run.metrics!.tasks.completed, run.name).toBeGreaterThan(0);
    }
    expect(runs[2]!.metrics!.sparkProperties['spark.eventLog.compression.codec']).toBe('snappy');
  });

  it.each([0, 1, 2])('stage totals of run %i equal the /stages sums', async (index) => {
    const run = runs[index]!;
    const m = run.metrics!;
    const stages = await history!.get<StageData[]>(`/api/v1/applications/${m.sparkAppId}/stages`);
    expect(stages.length).toBeGreaterThan(0);
    expect({
      input: m.inputBytes,
      inputRecords: m.inputRecords,
      output: m.outputBytes,
      outputRecords: m.outputRecords,
      shuffleRead: m.shuffleReadBytes,
      shuffleWrite: m.shuffleWriteBytes,
      fetchWait: m.shuffleFetchWaitMs,
      memorySpill: m.memorySpillBytes,
      diskSpill: m.diskSpillBytes,
      runTime: m.executorRunTimeMs,
      cpuTimeNs: Math.round(m.executorCpuTimeMs * 1e6),
      gcTime: m.jvmGcTimeMs,
      tasks: m.tasks,
      stages: m.stages,
    }).toEqual({
      input: sum(stages, (s) => s.inputBytes),
      inputRecords: sum(stages, (s) => s.inputRecords),
      output: sum(stages, (s) => s.outputBytes),
      outputRecords: sum(stages, (s) => s.outputRecords),
      shuffleRead: sum(stages, (s) => s.shuffleReadBytes),
      shuffleWrite: sum(stages, (s) => s.shuffleWriteBytes),
      fetchWait: sum(stages, (s) => s.shuffleFetchWaitTime),
      memorySpill: sum(stages, (s) => s.memoryBytesSpilled),
      diskSpill: sum(stages, (s) => s.diskBytesSpilled),
      runTime: sum(stages, (s) => s.executorRunTime),
      cpuTimeNs: sum(stages, (s) => s.executorCpuTime),
      gcTime: sum(stages, (s) => s.jvmGcTime),
      tasks: {
        completed: sum(stages, (s) => s.numCompleteTasks),
        failed: sum(stages, (s) => s.numFailedTasks),
        killed: sum(stages, (s) => s.numKilledTasks),
      },
      stages: {
        completed: stages.filter((s) => s.status === 'COMPLETE').length,
        failed: stages.filter((s) => s.status === 'FAILED').length,
      },
    });
  });

  it('the shuffle + spill run really shuffled, spilled, read and wrote', () => {
    const m = runs[0]!.metrics!;
    expect(m.shuffleReadBytes).toBeGreaterThan(0);
    expect(m.shuffleWriteBytes).toBeGreaterThan(0);
    expect(m.memorySpillBytes).toBeGreaterThan(0);
    expect(m.diskSpillBytes).toBeGreaterThan(0);
    expect(m.inputBytes).toBeGreaterThan(0);
    expect(m.outputBytes).toBeGreaterThan(0);
    expect(m.waitBeforeStartMs).toBeGreaterThan(0);
  });

  it.each([0, 1, 2])('executors of run %i match /executors', async (index) => {
    const m = runs[index]!.metrics!;
    const executors = await history!.get<ExecutorSummary[]>(`/api/v1/applications/${m.sparkAppId}/executors`);
    expect(m.executors.map((e) => [e.executorId, e.cores])).toEqual(executors.map((e) => [e.id, e.totalCores]));
    // (its totalGCTime is the JVM's own GC counter, not the tasks' GC time: compared per stage above)
    expect(m.inputBytes).toBe(sum(executors, (e) => e.totalInputBytes));
    expect(m.shuffleReadBytes).toBe(sum(executors, (e) => e.totalShuffleRead));
    expect(m.shuffleWriteBytes).toBe(sum(executors, (e) => e.totalShuffleWrite));
    expect(m.tasks.completed).toBe(sum(executors, (e) => e.completedTasks));
    // local mode: the driver is the executor, holding local[2] cores from its start to the app end
    expect(m.executorCoreSeconds).toBeGreaterThan(0);
    expect(m.executorCoreSeconds).toBeLessThanOrEqual((2 * m.durationMs) / 1000);
    expect(m.efficiency).toBeCloseTo(m.executorRunTimeMs / (m.executorCoreSeconds * 1000), 9);
    const peaks = executors[0]!.peakMemoryMetrics;
    if (index === 0) {
      // stage executor metrics were logged: our peak of heap + off-heap sits between Spark's per-metric peaks
      expect(peaks).toBeDefined();
      expect(m.peakJvmMemoryBytes).toBeGreaterThanOrEqual(Math.max(peaks!.JVMHeapMemory, peaks!.JVMOffHeapMemory));
      expect(m.peakJvmMemoryBytes).toBeLessThanOrEqual(peaks!.JVMHeapMemory + peaks!.JVMOffHeapMemory);
    }
  });
});
