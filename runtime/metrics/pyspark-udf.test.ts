/**
 * A real Spark 4 event log of a Python UDF job (fixtures/pyspark-udf.py, local[2], with process-tree
 * metrics on as both back-ends set them): the Python workers' time and memory reach RunMetrics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventLog } from './event-log-parser';
import { decodeEventFast } from './fast-event-decoder';
import { decodeEventFull } from './full-event-decoder';

const lines = readFileSync(join(__dirname, 'fixtures', 'pyspark-udf.events.jsonl'), 'utf8').split('\n');

describe('a PySpark UDF run', () => {
  it('is read the same by the fast and the full decoder', () => {
    for (const line of lines) expect(decodeEventFast(line)).toEqual(decodeEventFull(line));
  });

  it('counts the Python workers: their run time in the CPU figure, their RSS apart', async () => {
    const m = await parseEventLog(lines);
    expect(m.incomplete).toBe(false);
    // the UDF did the work in Python: its workers ran far longer than the JVM task threads used CPU
    expect(m.pythonWorkerTimeMs).toBeGreaterThan(3 * m.executorCpuTimeMs);
    const coreMs = m.executorCoreSeconds * 1000;
    expect(m.cpuUtilization).toBeCloseTo((m.executorCpuTimeMs + m.pythonWorkerTimeMs!) / coreMs, 6);
    // the JVM threads alone would show a few per cent, as the issue saw on such a job
    expect(m.cpuUtilization).toBeGreaterThan(4 * (m.executorCpuTimeMs / coreMs));
    // two Python workers of local[2], some hundreds of MiB, inside the process tree's RSS
    expect(m.peakPythonRssBytes).toBeGreaterThan(100 * 1024 ** 2);
    expect(m.peakPythonRssBytes).toBeLessThan(m.peakRssBytes!);
    expect(m.executors[0]?.peakPythonRssBytes).toBe(m.peakPythonRssBytes);
  });

  it('times each stage: tasks, task time and its place in the run', async () => {
    const m = await parseEventLog(lines);
    const timings = m.stageTimings ?? [];
    // the UDF stage (4 partitions) writes the shuffle the count stage reads
    expect(timings.map((t) => [t.stageId, t.tasks, t.shuffleReadBytes > 0])).toEqual([
      [0, 4, false],
      [2, 1, true],
    ]);
    expect(timings.reduce((sum, t) => sum + t.taskTimeMs, 0)).toBe(m.executorRunTimeMs);
    for (const t of timings) {
      expect(t.endOffsetMs).toBeGreaterThanOrEqual(t.startOffsetMs!);
      expect(t.endOffsetMs).toBeLessThanOrEqual(m.durationMs);
      expect(t.maxTaskMs).toBeLessThanOrEqual(t.taskTimeMs);
    }
    expect(timings[1]!.startOffsetMs).toBeGreaterThanOrEqual(timings[0]!.endOffsetMs!);
  });
});
