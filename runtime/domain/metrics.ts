/**
 * What one run measured, from its Spark event log: the shape stored with an application, served
 * by both APIs and read by the tuner. Byte counts are bytes, times are milliseconds unless the
 * name says otherwise.
 */
import { z } from 'zod';

const Count = z.number().int().min(0);
const Bytes = z.number().min(0);
const Millis = z.number().min(0);
/** A ratio, 0..1 on a well-formed log; not capped, so a clock skew in a log shows rather than hides. */
const Share = z.number().min(0);
/** Spark reports epoch milliseconds. */
const EpochMs = z.number();

export const ExecutorMetrics = z.strictObject({
  executorId: z.string(),
  cores: Count,
  /** When the executor was added and removed (epoch ms); removedAt is the app end when never removed. */
  addedAt: EpochMs,
  removedAt: EpochMs.optional(),
  removedReason: z.string().optional(),
  /** Peak JVM heap + off-heap memory, bytes (from stage executor metrics). */
  peakJvmMemoryBytes: Bytes.optional(),
  /** Peak resident set size of the executor process tree, bytes, where the log has it. */
  peakRssBytes: Bytes.optional(),
  /** Peak RSS of its Python workers, bytes (process-tree metrics, where the log has them). */
  peakPythonRssBytes: Bytes.optional(),
});
export type ExecutorMetrics = z.infer<typeof ExecutorMetrics>;

export const StageSkew = z.strictObject({
  stageId: z.number().int(),
  attemptId: z.number().int(),
  tasks: Count,
  /** Longest task run time over the median task run time. */
  skew: z.number().min(0),
  /**
   * Data per successful task (input + shuffle read bytes, input records): median and largest, so
   * data skew can be told from a slow task on a busy machine. Absent on metrics measured before.
   */
  medianTaskBytes: Bytes.optional(),
  maxTaskBytes: Bytes.optional(),
  medianTaskRecords: Count.optional(),
  maxTaskRecords: Count.optional(),
});
export type StageSkew = z.infer<typeof StageSkew>;

/** One completed stage attempt as its TaskEnd and StageCompleted events measured it: what the run-time model replays. */
export const StageTiming = z.strictObject({
  stageId: z.number().int(),
  tasks: Count,
  /** Sum of the run times of its successful tasks. */
  taskTimeMs: Millis,
  /** Its longest successful task. */
  maxTaskMs: Millis,
  /** Shuffle bytes the stage read; > 0 means its task count follows the shuffle partitions. */
  shuffleReadBytes: Bytes,
  /** Bytes read from storage by the stage. */
  inputBytes: Bytes,
  /** Submission and completion, ms after the application start: stages that overlap ran side by side. Absent when the log does not say. */
  startOffsetMs: Millis.optional(),
  endOffsetMs: Millis.optional(),
});
export type StageTiming = z.infer<typeof StageTiming>;

/** A shuffle join (sort-merge or shuffled hash) and the bytes of rows each side shuffled ("data size" of its exchange). */
export const ShuffleJoin = z.strictObject({
  executionId: z.number().int(),
  /** SortMergeJoin or ShuffledHashJoin. */
  join: z.string(),
  smallerSideBytes: Bytes,
  largerSideBytes: Bytes,
});
export type ShuffleJoin = z.infer<typeof ShuffleJoin>;

export const RunCost = z
  .strictObject({
    total: z.number().min(0),
    currency: z.string().min(1),
    /** How it was priced, e.g. "local: 1.5 core-hours x 0.04 + 6 GiB-hours x 0.005". */
    method: z.string(),
  })
  .meta({ id: 'RunCost' });
export type RunCost = z.infer<typeof RunCost>;

export const RunMetrics = z
  .strictObject({
    /** Spark's application id (e.g. local-1795495618805). */
    sparkAppId: z.string().optional(),
    /** Application start to end. */
    durationMs: Millis,
    /** Submission to application start. */
    waitBeforeStartMs: Millis.optional(),
    /** Sum over executors of cores x uptime, seconds. */
    executorCoreSeconds: z.number().min(0),
    inputBytes: Bytes,
    inputRecords: Count,
    outputBytes: Bytes,
    outputRecords: Count,
    shuffleReadBytes: Bytes,
    shuffleWriteBytes: Bytes,
    shuffleFetchWaitMs: Millis,
    memorySpillBytes: Bytes,
    diskSpillBytes: Bytes,
    /** Overall peaks across executors, bytes. */
    peakJvmMemoryBytes: Bytes.optional(),
    peakRssBytes: Bytes.optional(),
    /** Peak RSS of one executor's Python workers, bytes (needs spark.executor.processTreeMetrics.enabled). */
    peakPythonRssBytes: Bytes.optional(),
    executorRunTimeMs: Millis,
    executorCpuTimeMs: Millis,
    jvmGcTimeMs: Millis,
    /**
     * Time the Python workers ran UDFs ("time to run Python workers" of the Python operators), ms;
     * absent when the run ran no Python UDF. Counted with executorCpuTimeMs in cpuUtilization.
     */
    pythonWorkerTimeMs: Millis.optional(),
    /** GC time over executor run time, 0..1. */
    gcTimeShare: Share,
    /** Sum of task run time over the sum of executor core uptime, 0..1. */
    efficiency: Share,
    /** Task CPU time (JVM threads + Python workers) over executor core uptime, 0..1. */
    cpuUtilization: Share,
    tasks: z.strictObject({ completed: Count, failed: Count, killed: Count }),
    stages: z.strictObject({ completed: Count, failed: Count }),
    /** The most skewed stages (max/median task time), largest first. */
    skewedStages: z.array(StageSkew),
    executors: z.array(ExecutorMetrics),
    /** Every completed stage attempt, in completion order; absent on metrics measured before. */
    stageTimings: z.array(StageTiming).optional(),
    /** The shuffle joins of the final SQL plans, with both sides measured; absent when the log has none. */
    shuffleJoins: z.array(ShuffleJoin).optional(),
    executorsLost: z.array(z.strictObject({ executorId: z.string(), reason: z.string() })),
    /** Spark properties in effect ("Spark Properties" of the environment update). */
    sparkProperties: z.record(z.string(), z.string()),
    /** True when the log ended mid-write (truncated or corrupt lines): totals cover the complete lines. */
    incomplete: z.boolean(),
    cost: RunCost.optional(),
  })
  .meta({
    id: 'RunMetrics',
    description: 'What one run measured from its Spark event log. Bytes in bytes, times in milliseconds unless named.',
  });
export type RunMetrics = z.infer<typeof RunMetrics>;

/** A run that measured nothing yet: every total zero, no executors, nothing lost. */
export function emptyRunMetrics(): RunMetrics {
  return {
    durationMs: 0,
    executorCoreSeconds: 0,
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
    executorCpuTimeMs: 0,
    jvmGcTimeMs: 0,
    gcTimeShare: 0,
    efficiency: 0,
    cpuUtilization: 0,
    tasks: { completed: 0, failed: 0, killed: 0 },
    stages: { completed: 0, failed: 0 },
    skewedStages: [],
    executors: [],
    executorsLost: [],
    sparkProperties: {},
    incomplete: false,
  };
}
