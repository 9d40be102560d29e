/**
 * What one run measured, from its Spark event log: the shape stored with an application, served
 * by both APIs and read by the tuner. Byte counts are bytes, times are milliseconds unless the
 * name says otherwise.
 */

export interface ExecutorMetrics {
  executorId: string;
  cores: number;
  /** When the executor was added and removed (epoch ms); removedAt is the app end when never removed. */
  addedAt: number;
  removedAt?: number;
  removedReason?: string;
  /** Peak JVM heap + off-heap memory, bytes (from stage executor metrics). */
  peakJvmMemoryBytes?: number;
  /** Peak resident set size of the executor process tree, bytes, where the log has it. */
  peakRssBytes?: number;
}

export interface StageSkew {
  stageId: number;
  attemptId: number;
  tasks: number;
  /** Longest task run time over the median task run time. */
  skew: number;
}

export interface RunMetrics {
  /** Spark's application id (e.g. local-1795495618805). */
  sparkAppId?: string;
  /** Application start to end. */
  durationMs: number;
  /** Submission to application start. */
  waitBeforeStartMs?: number;
  /** Sum over executors of cores x uptime, seconds. */
  executorCoreSeconds: number;
  inputBytes: number;
  inputRecords: number;
  outputBytes: number;
  outputRecords: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  shuffleFetchWaitMs: number;
  memorySpillBytes: number;
  diskSpillBytes: number;
  /** Overall peaks across executors, bytes. */
  peakJvmMemoryBytes?: number;
  peakRssBytes?: number;
  executorRunTimeMs: number;
  executorCpuTimeMs: number;
  jvmGcTimeMs: number;
  /** GC time over executor run time, 0..1. */
  gcTimeShare: number;
  /** Sum of task run time over the sum of executor core uptime, 0..1. */
  efficiency: number;
  /** Task CPU time over executor core uptime, 0..1. */
  cpuUtilization: number;
  tasks: { completed: number; failed: number; killed: number };
  stages: { completed: number; failed: number };
  /** The most skewed stages (max/median task time), largest first. */
  skewedStages: StageSkew[];
  executors: ExecutorMetrics[];
  executorsLost: { executorId: string; reason: string }[];
  /** Spark properties in effect ("Spark Properties" of the environment update). */
  sparkProperties: Record<string, string>;
  /** True when the log ended mid-write (truncated or corrupt lines): totals cover the complete lines. */
  incomplete: boolean;
  cost?: RunCost;
}

export interface RunCost {
  total: number;
  currency: string;
  /** How it was priced, e.g. "local: 1.5 core-hours x 0.04 + 6 GiB-hours x 0.005". */
  method: string;
}

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
