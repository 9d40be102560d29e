/**
 * The timeline of one run, from its Spark event log (in progress or final): jobs and stages over
 * time, executor cores allocated against busy, each executor's memory peaks against what it asked
 * for, and the problems found. Times are epoch milliseconds as Spark logs them, bytes are bytes.
 */
import { z } from 'zod';
import { Timestamp } from './common';

const Count = z.number().int().min(0);
const Bytes = z.number().min(0);
const EpochMs = z.number();

export const TimelineJob = z.strictObject({
  jobId: z.number().int(),
  /** spark.job.description when set, else the name of its last stage, as the Spark UI shows it. */
  description: z.string(),
  submittedAt: EpochMs,
  completedAt: EpochMs.optional(),
  result: z.enum(['running', 'succeeded', 'failed']),
  stageIds: z.array(z.number().int()),
});
export type TimelineJob = z.infer<typeof TimelineJob>;

export const TimelineStage = z.strictObject({
  stageId: z.number().int(),
  attemptId: z.number().int(),
  name: z.string(),
  /** Absent when the log holds no StageSubmitted for it (cut before, or only its completion). */
  submittedAt: EpochMs.optional(),
  completedAt: EpochMs.optional(),
  /** Tasks the stage has ("Number of Tasks"); 0 when the log did not say. */
  tasks: Count,
  completedTasks: Count,
  failedTasks: Count,
  inputBytes: Bytes,
  outputBytes: Bytes,
  shuffleReadBytes: Bytes,
  shuffleWriteBytes: Bytes,
  /** Memory + disk bytes spilled. */
  spillBytes: Bytes,
  /** Longest and median run time of its successful tasks (the median an estimate past 1024 tasks). */
  taskTimeMaxMs: z.number().min(0),
  taskTimeMedianMs: z.number().min(0),
  status: z.enum(['active', 'complete', 'failed']),
});
export type TimelineStage = z.infer<typeof TimelineStage>;

export const CoreSample = z.strictObject({
  /** Start of the step, epoch ms; the step lasts `stepMs`. */
  at: EpochMs,
  /** Cores of live executors, averaged over the step. */
  allocated: z.number().min(0),
  /** Task time overlapping the step over its length: cores kept busy on average. */
  busy: z.number().min(0),
});
export type CoreSample = z.infer<typeof CoreSample>;

export const MemoryPeaksBreakdown = z.strictObject({
  jvmHeapBytes: Bytes,
  jvmOffHeapBytes: Bytes,
  /** Resident memory of Python workers (ProcessTreePythonRSSMemory). */
  pythonBytes: Bytes,
  /** Resident memory of other processes of the executor's tree (ProcessTreeOtherRSSMemory). */
  otherBytes: Bytes,
  /** Resident memory of the JVM process (ProcessTreeJVMRSSMemory), 0 when not sampled. */
  jvmRssBytes: Bytes,
});
export type MemoryPeaksBreakdown = z.infer<typeof MemoryPeaksBreakdown>;

export const TimelineExecutor = z.strictObject({
  executorId: z.string(),
  cores: Count,
  addedAt: EpochMs,
  removedAt: EpochMs.optional(),
  removedReason: z.string().optional(),
  /** The highest value of each figure sampled over the run (each on its own: not one instant). */
  peaks: MemoryPeaksBreakdown,
  /** What the executor's pod asks for: memory + overhead (+ PySpark memory, + off-heap when enabled). */
  requestedBytes: Bytes,
});
export type TimelineExecutor = z.infer<typeof TimelineExecutor>;

export const TimelineProblemKind = z.enum(['failed-tasks', 'executor-lost', 'spill', 'skew', 'gc', 'out-of-memory']);
export type TimelineProblemKind = z.infer<typeof TimelineProblemKind>;

export const TimelineProblem = z.strictObject({
  kind: TimelineProblemKind,
  severity: z.enum(['error', 'warning']),
  title: z.string(),
  /** What was seen, with the threshold it crossed. */
  detail: z.string(),
  stageId: z.number().int().optional(),
  executorId: z.string().optional(),
});
export type TimelineProblem = z.infer<typeof TimelineProblem>;

export const ApplicationTimeline = z
  .strictObject({
    appId: z.string(),
    sparkAppId: z.string().optional(),
    /** The event log is still being written: the figures cover what it holds so far. */
    live: z.boolean(),
    /** When the runtime read the log for this answer. */
    asOf: Timestamp,
    /** Application start and end from the log; while live, endedAt is absent. */
    startedAt: EpochMs.optional(),
    endedAt: EpochMs.optional(),
    /** Length of each step of `cores`, ms: the run over at most 200 steps. */
    stepMs: z.number().int().min(1),
    jobs: z.array(TimelineJob),
    stages: z.array(TimelineStage),
    cores: z.array(CoreSample),
    executors: z.array(TimelineExecutor),
    problems: z.array(TimelineProblem),
  })
  .meta({ id: 'ApplicationTimeline' });
export type ApplicationTimeline = z.infer<typeof ApplicationTimeline>;
