import { describe, expect, it } from 'vitest';
import { taskMetricsOf } from './full-event-decoder';
import { RunMetricsAccumulator } from './run-metrics-accumulator';
import { IGNORED_LINE, REJECTED_LINE, type SparkEvent, type TaskEndEvent } from './spark-events';

const T0 = 1_700_000_000_000;

/** A task that measured nothing: what the decoders give for a missing "Task Metrics". */
const NO_METRICS = taskMetricsOf(undefined);

function task(overrides: Partial<TaskEndEvent> = {}): TaskEndEvent {
  return {
    type: 'taskEnd',
    stageId: 0,
    attemptId: 0,
    reason: 'Success',
    executorId: '1',
    finishTimeMs: T0,
    metrics: NO_METRICS,
    peaks: { jvmBytes: 0, rssBytes: 0, pythonRssBytes: 0 },
    pythonWorkerMs: 0,
    ...overrides,
  };
}

function accumulate(events: SparkEvent[]): RunMetricsAccumulator {
  const accumulator = new RunMetricsAccumulator();
  for (const event of events) accumulator.add(event);
  return accumulator;
}

describe('RunMetricsAccumulator', () => {
  it("counts tasks by end reason as Spark's AppStatusListener does", () => {
    const reasons = ['Success', 'TaskKilled', 'TaskCommitDenied', 'ExceptionFailure', 'FetchFailed', 'Resubmitted'];
    const { tasks } = accumulate(reasons.map((reason) => task({ reason }))).result();
    expect(tasks).toEqual({ completed: 1, killed: 2, failed: 3 });
  });

  it('keeps the highest memory sample of each executor, from tasks and from executor metrics', () => {
    const { executors, peakJvmMemoryBytes, peakRssBytes } = accumulate([
      task({ executorId: '1', peaks: { jvmBytes: 100, rssBytes: 900, pythonRssBytes: 400 } }),
      { type: 'executorPeaks', executorId: '1', samples: [{ jvmBytes: 300, rssBytes: 10, pythonRssBytes: 500 }] },
      // Spark logs the driver's metrics too: they make no executor
      { type: 'executorPeaks', executorId: 'driver', samples: [{ jvmBytes: 5000, rssBytes: 0, pythonRssBytes: 0 }] },
    ]).result();
    expect(executors.map((e) => [e.executorId, e.peakJvmMemoryBytes, e.peakRssBytes, e.peakPythonRssBytes])).toEqual([
      ['1', 300, 900, 500],
    ]);
    expect([peakJvmMemoryBytes, peakRssBytes]).toEqual([300, 900]);
  });

  it('reports an executor lost, not one removed on purpose by dynamic allocation or decommissioning', () => {
    const removed = (executorId: string, reason: string): SparkEvent => ({
      type: 'executorRemoved',
      executorId,
      timestampMs: T0 + 1000,
      reason,
    });
    const { executorsLost } = accumulate([
      removed('1', 'Executor killed by driver.'),
      removed('2', 'Executor decommission: spot instance interrupted'),
      removed('3', 'Container from a bad node exited with code 137'),
    ]).result();
    expect(executorsLost).toEqual([{ executorId: '3', reason: 'Container from a bad node exited with code 137' }]);
  });

  it('counts rejected lines, skips ignored ones, and marks the run incomplete', () => {
    const accumulator = accumulate([{ type: 'applicationEnd', timestampMs: T0 }]);
    accumulator.add(IGNORED_LINE);
    expect(accumulator.result().incomplete).toBe(false);
    accumulator.add(REJECTED_LINE);
    expect(accumulator.rejectedLines).toBe(1);
    expect(accumulator.result().incomplete).toBe(true);
  });

  it('keeps every Spark property, a "__proto__" key too, the last update winning', () => {
    const { sparkProperties } = accumulate([
      { type: 'environmentUpdate', sparkProperties: { 'spark.master': 'local[2]' } },
      {
        type: 'environmentUpdate',
        sparkProperties: JSON.parse('{"spark.master":"k8s://x","__proto__":"y"}') as Record<string, string>,
      },
    ]).result();
    expect(Object.entries(sparkProperties)).toEqual([
      ['spark.master', 'k8s://x'],
      ['__proto__', 'y'],
    ]);
  });
});
