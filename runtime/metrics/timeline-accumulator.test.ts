import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appEnd,
  appStart,
  environment,
  executorAdded,
  executorRemoved,
  jobEnd,
  jobStart,
  stageCompleted,
  stageExecutorMetrics,
  stageSubmitted,
  taskEnd,
} from './event-log-fixtures';
import { TimelineAccumulator } from './timeline-accumulator';
import { SKEW_MIN_BYTES } from './timeline-problems';

const MIB = 2 ** 20;

function timelineOf(lines: readonly string[]) {
  const acc = new TimelineAccumulator();
  for (const line of lines) acc.addLine(line);
  return acc.result();
}

/** Two executors of 2 cores, one job of two stages, the second executor killed by the kernel. */
const RUN = [
  appStart(1000, 'app-20261203-0001'),
  environment({ 'spark.executor.memory': '2g', 'spark.executor.pyspark.memory': '512m' }),
  executorAdded('1', 2, 1000),
  executorAdded('2', 2, 1000),
  jobStart(0, 1500, [0, 1], 'count rows'),
  stageSubmitted(0, 1500, 3),
  taskEnd({
    stageId: 0,
    taskId: 1,
    executorId: '1',
    launchMs: 1500,
    finishMs: 2500,
    runTimeMs: 1000,
    gcMs: 300,
    inputBytes: 10 * MIB,
    executorMetrics: { JVMHeapMemory: 300 * MIB, JVMOffHeapMemory: 20 * MIB, ProcessTreePythonRSSMemory: 100 * MIB },
  }),
  taskEnd({
    stageId: 0,
    taskId: 2,
    executorId: '2',
    launchMs: 1500,
    finishMs: 3500,
    runTimeMs: 2000,
    gcMs: 300,
    inputBytes: 20 * MIB,
    memorySpill: 5 * MIB,
    diskSpill: 1 * MIB,
  }),
  taskEnd({
    stageId: 0,
    taskId: 3,
    executorId: '1',
    launchMs: 1500,
    finishMs: 2000,
    runTimeMs: 500,
    reason: { Reason: 'ExceptionFailure', 'Class Name': 'java.io.IOException', Description: 'disk' },
  }),
  stageExecutorMetrics('1', {
    JVMHeapMemory: 500 * MIB,
    JVMOffHeapMemory: 10 * MIB,
    ProcessTreeOtherRSSMemory: 7 * MIB,
  }),
  stageCompleted(0, 0, undefined, 3600),
  stageSubmitted(1, 3600, 2),
  taskEnd({
    stageId: 1,
    taskId: 4,
    executorId: '1',
    launchMs: 3600,
    finishMs: 4600,
    runTimeMs: 1000,
    gcMs: 0,
    shuffleWrite: 3 * MIB,
    outputBytes: 4 * MIB,
  }),
  jobEnd(0, 5000),
  executorRemoved('2', 6000, 'Container from a bad node: exit code 137 (OOMKilled)'),
  appEnd(10_000),
];

describe('TimelineAccumulator', () => {
  it('lists jobs and stages with their times, counts and bytes', () => {
    const t = timelineOf(RUN);
    expect(t).toMatchObject({ sparkAppId: 'app-20261203-0001', startedAt: 1000, endedAt: 10_000 });
    expect(t.jobs).toEqual([
      {
        jobId: 0,
        description: 'count rows',
        submittedAt: 1500,
        completedAt: 5000,
        result: 'succeeded',
        stageIds: [0, 1],
      },
    ]);
    expect(t.stages).toHaveLength(2);
    expect(t.stages[0]).toMatchObject({
      stageId: 0,
      // the completion's stage info is the last word (the fixture's name, times and task count)
      name: 'count at x.py:1',
      submittedAt: 1000,
      completedAt: 3600,
      tasks: 2,
      completedTasks: 2,
      failedTasks: 1,
      inputBytes: 30 * MIB,
      spillBytes: 6 * MIB,
      taskTimeMaxMs: 2000,
      status: 'complete',
    });
    // stage 1 never completed in the log: still active, its task counted
    expect(t.stages[1]).toMatchObject({ stageId: 1, status: 'active', completedTasks: 1, outputBytes: 4 * MIB });
    expect(t.stages[1]!.completedAt).toBeUndefined();
  });

  it('samples cores allocated and busy at even steps', () => {
    const t = timelineOf(RUN);
    expect(t.stepMs).toBe(100);
    expect(t.cores).toHaveLength(90);
    const at = (ms: number) => t.cores.find((s) => s.at === ms)!;
    expect(at(1000)).toEqual({ at: 1000, allocated: 4, busy: 0 });
    // three tasks run over [1500, 1600)
    expect(at(1500).busy).toBeCloseTo(3);
    expect(at(3000).busy).toBeCloseTo(1);
    expect(at(6000).allocated).toBe(2);
    const busyMs = t.cores.reduce((sum, s) => sum + s.busy * t.stepMs, 0);
    expect(busyMs).toBeCloseTo(1000 + 2000 + 500 + 1000);
  });

  it('keeps the peak of each kind of memory and what each executor asked for', () => {
    const t = timelineOf(RUN);
    const one = t.executors.find((e) => e.executorId === '1')!;
    expect(one.peaks).toEqual({
      jvmHeapBytes: 500 * MIB,
      jvmOffHeapBytes: 20 * MIB,
      pythonBytes: 100 * MIB,
      otherBytes: 7 * MIB,
      jvmRssBytes: 0,
    });
    // 2 GiB + max(384 MiB, 10 %) overhead + 512 MiB for Python
    expect(one.requestedBytes).toBe((2048 + 384 + 512) * MIB);
    expect(t.executors.find((e) => e.executorId === '2')).toMatchObject({ removedAt: 6000, cores: 2 });
  });

  it('finds out of memory, failed tasks, spill and GC, each once', () => {
    const kinds = timelineOf(RUN).problems.map((p) => p.kind);
    expect(kinds).toEqual(['out-of-memory', 'failed-tasks', 'spill', 'gc']);
    const problems = timelineOf(RUN).problems;
    expect(problems[0]).toMatchObject({ executorId: '2', severity: 'error' });
    expect(problems[3]!.detail).toMatch(/13\.6 % .*over 10 %/);
  });

  it('tells an executor lost from one removed on purpose', () => {
    const lost = timelineOf([appStart(0), executorAdded('3', 1, 1), executorRemoved('3', 5, 'worker lost'), appEnd(9)]);
    expect(lost.problems).toEqual([expect.objectContaining({ kind: 'executor-lost', executorId: '3' })]);
    const scaledDown = timelineOf([
      appStart(0),
      executorAdded('3', 1, 1),
      executorRemoved('3', 5, 'Executor killed by driver.'),
      appEnd(9),
    ]);
    expect(scaledDown.problems).toEqual([]);
  });

  it('counts a task that failed for memory as out of memory, not as a failed task', () => {
    const t = timelineOf([
      appStart(0),
      taskEnd({
        reason: {
          Reason: 'ExceptionFailure',
          'Class Name': 'java.lang.OutOfMemoryError',
          Description: 'Java heap space',
        },
      }),
      appEnd(5000),
    ]);
    expect(t.problems).toEqual([
      expect.objectContaining({
        kind: 'out-of-memory',
        stageId: 0,
        detail:
          '1 task attempt(s) failed for lack of memory: ExceptionFailure: java.lang.OutOfMemoryError: Java heap space',
      }),
    ]);
  });

  describe('skew', () => {
    const stageOf = (tasks: number, bytesPerTask: number) => [
      appStart(0),
      ...Array.from({ length: tasks }, (_, i) =>
        taskEnd({ taskId: i, runTimeMs: i === 0 ? 6000 : 1000, gcMs: 0, inputBytes: bytesPerTask, finishMs: 7000 }),
      ),
      stageCompleted(0),
      appEnd(8000),
    ];

    it('reports a stage whose longest task is 5x its median over enough tasks and bytes', () => {
      const t = timelineOf(stageOf(10, SKEW_MIN_BYTES / 8));
      expect(t.problems).toEqual([expect.objectContaining({ kind: 'skew', stageId: 0 })]);
      expect(t.problems[0]!.detail).toContain('6.0x the median');
    });

    it('does not report tiny tasks or too few of them', () => {
      expect(timelineOf(stageOf(10, 1000)).problems).toEqual([]);
      expect(timelineOf(stageOf(9, SKEW_MIN_BYTES)).problems).toEqual([]);
    });
  });

  it('gives the same timeline fed in two parts, answering in between, as fed at once', () => {
    const acc = new TimelineAccumulator();
    RUN.slice(0, 8).forEach((line) => acc.addLine(line));
    const partial = acc.result();
    expect(partial.endedAt).toBeUndefined();
    expect(partial.stages).toHaveLength(1);
    RUN.slice(8).forEach((line) => acc.addLine(line));
    expect(acc.result()).toEqual(timelineOf(RUN));
  });

  it('keeps the series to 200 steps over a long run, with every task millisecond in it', () => {
    const hours = 10 * 3600_000;
    const lines = [appStart(1), executorAdded('1', 4, 1)];
    let taskMs = 0;
    for (let t = 1; t < hours; t += 97_000) {
      lines.push(taskEnd({ taskId: t, launchMs: t, finishMs: t + 50_000, runTimeMs: 50_000 }));
      taskMs += 50_000;
    }
    lines.push(appEnd(hours));
    const t = timelineOf(lines);
    expect(t.cores.length).toBeLessThanOrEqual(200);
    expect(t.cores.length).toBeGreaterThan(100);
    expect(t.cores.reduce((sum, s) => sum + s.busy * t.stepMs, 0)).toBeCloseTo(taskMs, 3);
    expect(t.cores.at(-1)!.at + t.stepMs).toBeGreaterThanOrEqual(hours);
  });

  it('skips a line cut mid-write and counts it', () => {
    const acc = new TimelineAccumulator();
    acc.addLine(appStart(0));
    acc.addLine(taskEnd().slice(0, 80));
    expect(acc.rejectedLines).toBe(1);
    expect(acc.result().stages).toEqual([]);
  });
});

/** Executors with task slots: on each core, tasks one after another within the executor's life. */
const wellFormedRun = fc
  .array(
    fc.record({
      cores: fc.integer({ min: 1, max: 4 }),
      addedAt: fc.integer({ min: 1, max: 5000 }),
      slots: fc.array(fc.array(fc.record({ gap: fc.nat(3000), run: fc.integer({ min: 1, max: 20_000 }) })), {
        maxLength: 4,
      }),
      removedAfter: fc.option(fc.nat(5000)),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((executors) => {
    const lines = [appStart(1)];
    let end = 1;
    executors.forEach((e, index) => {
      const id = String(index + 1);
      lines.push(executorAdded(id, e.cores, e.addedAt));
      let last = e.addedAt;
      e.slots.slice(0, e.cores).forEach((slot) => {
        let t = e.addedAt;
        for (const task of slot) {
          t += task.gap;
          lines.push(taskEnd({ executorId: id, launchMs: t, finishMs: t + task.run, runTimeMs: task.run }));
          t += task.run;
        }
        last = Math.max(last, t);
      });
      if (e.removedAfter !== null) lines.push(executorRemoved(id, last + e.removedAfter, 'Executor killed by driver.'));
      end = Math.max(end, last + (e.removedAfter ?? 0));
    });
    lines.push(appEnd(end + 1));
    return lines;
  });

describe('TimelineAccumulator properties', () => {
  it('never shows more cores busy than allocated on a well-formed log', () => {
    fc.assert(
      fc.property(wellFormedRun, (lines) => {
        const t = timelineOf(lines);
        expect(t.cores.length).toBeLessThanOrEqual(200);
        for (const s of t.cores) expect(s.busy).toBeLessThanOrEqual(s.allocated + 1e-9);
      }),
    );
  });
});
