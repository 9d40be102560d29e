/**
 * Fast rules for clear signals, as an ordered list of small strategies. Each proposes changes on
 * the plan (which refuses user-fixed values and enforces the change budget) or tightens the draft
 * the resource choice works from.
 */
import type { Draft, TuningContext } from './context';
import { partitionsPointer, POINTERS } from './knobs';
import { roundMemoryMiB } from './memory';
import type { Plan } from './plan';

const MIB = 1024 * 1024;
/** Shuffle bytes per partition we aim for: the middle of Spark's usual 64-200 MiB guidance. */
export const TARGET_PARTITION_BYTES = 128 * MIB;
const MIN_SPILL_PARTITION_BYTES = 32 * MIB;

export interface Rule {
  name: string;
  apply(ctx: TuningContext, plan: Plan, draft: Draft): void;
}

const fmtGiB = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const fmtMiB = (bytes: number) => `${Math.round(bytes / MIB)} MiB`;
const pct = (share: number) => `${Math.round(share * 100)}%`;

/** The largest shuffle a stage read, bytes, and that stage's task count. */
function largestShuffle(ctx: TuningContext): { bytes: number; tasks: number } | undefined {
  let best: { bytes: number; tasks: number } | undefined;
  for (const s of ctx.stages) {
    if (s.shuffleReadBytes > 0 && (!best || s.shuffleReadBytes > best.bytes)) {
      best = { bytes: s.shuffleReadBytes, tasks: s.tasks };
    }
  }
  return best;
}

/** Largest task over the median, by data: a stage is skewed when one task reads far more, not merely runs longer. */
const DATA_SKEW_RATIO = 5;
/** Tasks reading less than this (median) are tiny: scheduling, not data, dominates their time. */
const TINY_TASK_BYTES = MIB;
const fmtBytes = (bytes: number) =>
  bytes >= MIB ? fmtMiB(bytes) : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${Math.round(bytes)} B`;

/**
 * The fewest shuffle partitions to propose: one per task slot of the reference run. Fewer leave
 * slots idle and give adaptive execution nothing to split a skewed partition from (the join
 * benchmark's 400 -> 1 ran twice the cost of 8); adaptive coalescing still merges them when small.
 */
function partitionFloor(ctx: TuningContext): number {
  return Math.max(
    ctx.bounds.minPartitions,
    Math.min(ctx.bounds.maxPartitions, ctx.refKnobs.executors * ctx.refKnobs.cores),
  );
}

/** "run etl-3": the run a figure comes from. */
export function runName(ctx: TuningContext): string {
  return `run ${ctx.ref.appId ?? String(ctx.runs.indexOf(ctx.ref) + 1)}`;
}

/**
 * A stage whose longest task dwarfs the median. Data skew (one task reads 5x the median's bytes or
 * records) -> adaptive skew join splits it; tiny tasks with one slow among them -> coalesce them
 * (adaptive execution, fewer partitions); a slow task on even data (a busy machine) -> nothing.
 */
const skew: Rule = {
  name: 'skew',
  apply(ctx, plan, draft) {
    const worst = ctx.ref.metrics?.skewedStages[0];
    // measured before data per task was recorded: time alone cannot tell skew from a slow machine
    if (!worst || worst.skew < 5 || worst.maxTaskBytes === undefined) return;
    const median = worst.medianTaskBytes ?? 0;
    const byBytes = worst.maxTaskBytes / Math.max(1, median);
    const byRecords = (worst.maxTaskRecords ?? 0) / Math.max(1, worst.medianTaskRecords ?? 0);
    const where = `stage ${worst.stageId} of ${runName(ctx)}`;
    const time = `longest task ${worst.skew.toFixed(1)}x the median time`;
    if (median < TINY_TASK_BYTES && worst.maxTaskBytes < TARGET_PARTITION_BYTES / 4) {
      const why = `tiny tasks, not data skew: ${where} ran ${worst.tasks} tasks of ${fmtBytes(median)} median (largest ${fmtBytes(worst.maxTaskBytes)}), ${time}; coalescing them into fewer partitions`;
      if (!ctx.refKnobs.adaptive && plan.set(POINTERS.adaptive, true, why)) draft.adaptive = true;
      const count = Math.max(partitionFloor(ctx), Math.ceil((median * worst.tasks) / TARGET_PARTITION_BYTES));
      if (worst.tasks >= ctx.refKnobs.partitions / 2 && count < ctx.refKnobs.partitions) {
        if (plan.set(POINTERS.partitions, count, why)) draft.partitions = count;
      }
      return;
    }
    if (byBytes < DATA_SKEW_RATIO && byRecords < DATA_SKEW_RATIO) return;
    if (ctx.refKnobs.adaptive && ctx.refKnobs.skewJoin) return;
    const figure =
      byBytes >= byRecords
        ? `largest task read ${fmtBytes(worst.maxTaskBytes)}, ${byBytes.toFixed(1)}x the median ${fmtBytes(median)}`
        : `largest task read ${worst.maxTaskRecords} records, ${byRecords.toFixed(1)}x the median`;
    const why = `data skew in ${where}: ${figure} (${time}); adaptive skew join splits it`;
    if (plan.cost({ [POINTERS.adaptive]: true, [POINTERS.skewJoin]: true }) === undefined) return;
    if (plan.remaining < 2) return;
    plan.set(POINTERS.adaptive, true, why);
    plan.set(POINTERS.skewJoin, true, why);
    draft.adaptive = true;
  },
};

/** Partitions far from the target size: tiny tasks waste scheduling time, big ones spill. */
const partitionSize: Rule = {
  name: 'partition-size',
  apply(ctx, plan, draft) {
    const shuffle = largestShuffle(ctx);
    if (!shuffle) return;
    const spill = ctx.ref.metrics?.memorySpillBytes ?? 0;
    const current = shuffle.bytes / Math.max(1, shuffle.tasks);
    // spill halves the partitions down to 32 MiB; below that, memory is the answer (memory-pressure rule)
    const target =
      spill > 0
        ? Math.max(MIN_SPILL_PARTITION_BYTES, Math.min(TARGET_PARTITION_BYTES, current / 2))
        : TARGET_PARTITION_BYTES;
    const tiny = current < target / 3;
    const big = current > target * 1.5;
    if (!tiny && !big) return;
    const count = Math.min(
      ctx.bounds.maxPartitions,
      Math.max(partitionFloor(ctx), Math.ceil(shuffle.bytes / Math.max(MIB, target))),
    );
    const stage = ctx.stages.find((s) => s.shuffleReadBytes === shuffle.bytes);
    const avgTaskSeconds = stage ? stage.taskTimeMs / Math.max(1, stage.tasks) / 1000 : 0;
    const why = tiny
      ? `tiny tasks: ${fmtBytes(current)} per shuffle partition, ${avgTaskSeconds.toFixed(2)} s per task in ${runName(ctx)}; aiming at ${fmtMiB(target)}`
      : `${spill > 0 ? `spill ${fmtGiB(spill)}` : 'large partitions'}: ${fmtMiB(current)} per shuffle partition in ${runName(ctx)}; aiming at ${fmtMiB(target)}`;
    if (partitionsPointer(draft) === POINTERS.advisoryBytes) {
      if (!plan.set(POINTERS.advisoryBytes, Math.round(target), why)) return;
      draft.advisoryBytes = Math.round(target);
      // the initial partition count caps what adaptive coalescing can produce
      if (ctx.refKnobs.partitions < count && plan.set(POINTERS.partitions, count, why)) draft.partitions = count;
    } else {
      if (!plan.set(POINTERS.partitions, count, why)) return;
      draft.partitions = count;
    }
    if (tiny) draft.holdMemoryPerCore = true;
  },
};

/** Spill that smaller partitions will not remove, or a high GC share: more memory per core. */
const memoryPressure: Rule = {
  name: 'memory-pressure',
  apply(ctx, plan, draft) {
    const m = ctx.ref.metrics;
    if (!m) return;
    const perCore = ctx.refKnobs.memoryMiB / ctx.refKnobs.cores;
    const partitionsShrank = plan.has(POINTERS.partitions) || plan.has(POINTERS.advisoryBytes);
    if (m.memorySpillBytes > 0 && !partitionsShrank) {
      draft.memoryFloorPerCoreMiB = Math.max(draft.memoryFloorPerCoreMiB, perCore * 1.5);
      draft.memoryFloorReason = `spill ${fmtGiB(m.memorySpillBytes)} in ${runName(ctx)} at ${Math.round(perCore)} MiB per core; +50% per core`;
    } else if (m.memorySpillBytes > 0) {
      draft.memoryFloorPerCoreMiB = Math.max(draft.memoryFloorPerCoreMiB, perCore);
    }
    if (m.gcTimeShare > 0.1) {
      draft.headroom = 1.5;
      draft.memoryFloorPerCoreMiB = Math.max(draft.memoryFloorPerCoreMiB, perCore * 1.25);
      draft.memoryFloorReason = `GC took ${pct(m.gcTimeShare)} of task time in ${runName(ctx)}; +25% memory per core`;
    }
  },
};

/** Rules-only resource step: executors idle most of the time -> fewer of them. */
const idleExecutors: Rule = {
  name: 'idle-executors',
  apply(ctx, plan) {
    const m = ctx.ref.metrics;
    if (!m || m.efficiency >= 0.6 || m.efficiency <= 0) return;
    const executors = ctx.refKnobs.executors;
    const next = Math.max(ctx.bounds.minExecutors, Math.ceil((executors * m.efficiency) / 0.8));
    if (next >= executors) return;
    plan.set(
      ctx.refKnobs.dynamicAllocation ? POINTERS.maxExecutors : POINTERS.instances,
      next,
      `efficiency ${pct(m.efficiency)} in ${runName(ctx)}: executors idle most of the run; aiming at 80%`,
    );
  },
};

/** Driver memory from the driver's own peak, or doubled after a driver out-of-memory. */
const driverMemory: Rule = {
  name: 'driver-memory',
  apply(ctx, plan) {
    const peak = ctx.ref.metrics?.executors.find((e) => e.executorId === 'driver')?.peakJvmMemoryBytes;
    const current = ctx.refKnobs.driverMemoryMiB;
    if (peak === undefined) return;
    const target = Math.min(
      ctx.bounds.maxDriverMemoryMiB,
      Math.max(ctx.bounds.minDriverMemoryMiB, roundMemoryMiB((peak / MIB) * 1.25)),
    );
    // only worth a change when it frees a good share
    if (target > current * 0.6 && peak / MIB < current * 0.9) return;
    plan.set(
      POINTERS.driverMemory,
      peak / MIB >= current * 0.9 ? Math.min(ctx.bounds.maxDriverMemoryMiB, roundMemoryMiB(current * 1.5)) : target,
      `driver peak JVM memory ${fmtGiB(peak)} in ${runName(ctx)}, 25% headroom`,
    );
  },
};

/** Python workers' share of task time from which a run is bound by its Python UDFs. */
const PYTHON_BOUND_SHARE = 0.5;

/** "Python workers ran 75% of task time in run udf-2 (15.0 s of 20.0 s)", when they ran most of it. */
function pythonBound(ctx: TuningContext): string | undefined {
  const m = ctx.ref.metrics;
  const python = m?.pythonWorkerTimeMs;
  if (!m || python === undefined || m.executorRunTimeMs <= 0) return undefined;
  const share = python / m.executorRunTimeMs;
  if (share < PYTHON_BOUND_SHARE) return undefined;
  return `Python workers ran ${pct(share)} of task time in ${runName(ctx)} (${(python / 1000).toFixed(1)} s of ${(m.executorRunTimeMs / 1000).toFixed(1)} s)`;
}

/**
 * A note when Python UDFs did most of the work: each core runs one single-threaded Python worker,
 * so more cores (not more memory) speed it up, and its CPU shows in pythonWorkerTimeMs.
 */
export function pythonWorkersNote(ctx: TuningContext): string | undefined {
  const bound = pythonBound(ctx);
  if (!bound) return undefined;
  return `${bound}: bound by its Python UDFs, one Python worker per core; CPU utilisation ${pct(ctx.ref.metrics!.cpuUtilization)} counts them`;
}

/**
 * Bound by Python UDF CPU -> Arrow-optimized Python UDFs (Spark 3.5+): rows go to the workers in
 * Arrow batches instead of one pickle each, which is much of a row UDF's Python CPU. Pandas UDFs
 * use Arrow already and are unaffected; worker reuse is Spark's default. More cores for the
 * workers are the resource search's to choose, from the same task time.
 */
const pythonUdfCpu: Rule = {
  name: 'python-udf-cpu',
  apply(ctx, plan) {
    const bound = pythonBound(ctx);
    if (!bound || ctx.refKnobs.pythonArrow) return;
    plan.set(
      POINTERS.pythonArrow,
      true,
      `${bound}, bound by its Python UDFs: Arrow batches rows to the Python workers instead of pickling each row`,
    );
  },
};

/** A broadcast is collected by the driver and held by every executor: the small side may take this share of their heap. */
const BROADCAST_HEAP_SHARE = 1 / 8;
/** Over the measured side, so that a side that grows a little still broadcasts. */
const BROADCAST_HEADROOM = 1.5;

/**
 * A shuffle join whose smaller side is above the broadcast threshold but small next to the heaps
 * that would hold it -> raise spark.sql.autoBroadcastJoinThreshold over it, so that the larger side
 * is not shuffled (adaptive execution compares the same threshold with the measured side). One
 * threshold serves every join of the job: the largest side that fits sets it.
 */
const broadcastCandidate: Rule = {
  name: 'broadcast-candidate',
  apply(ctx, plan) {
    const threshold = ctx.refKnobs.broadcastThreshold;
    // -1: broadcast joins turned off on purpose
    if (threshold < 0) return;
    const heaps = [ctx.refKnobs.driverMemoryMiB];
    // executors hold a copy where they are JVMs of their own (not on the local back-end)
    if (ctx.guard.refusedBy(POINTERS.memory) === undefined) heaps.push(ctx.refKnobs.memoryMiB);
    const capBytes = Math.min(...heaps) * MIB * BROADCAST_HEAP_SHARE;
    const fitting = (ctx.ref.metrics?.shuffleJoins ?? []).filter(
      (j) => j.smallerSideBytes > threshold && j.smallerSideBytes * BROADCAST_HEADROOM <= capBytes,
    );
    const join = fitting.reduce<(typeof fitting)[number] | undefined>(
      (a, b) => (!a || b.smallerSideBytes > a.smallerSideBytes ? b : a),
      undefined,
    );
    if (!join) return;
    const to = Math.ceil((join.smallerSideBytes * BROADCAST_HEADROOM) / MIB) * MIB;
    plan.set(
      POINTERS.broadcastThreshold,
      to,
      `${join.join} of SQL query ${join.executionId} in ${runName(ctx)} shuffled ${fmtMiB(join.smallerSideBytes)} on its smaller side (${fmtMiB(join.largerSideBytes)} on the other), over the ${fmtMiB(threshold)} broadcast threshold and within 1/8 of ${Math.min(...heaps)} MiB of heap: broadcasting it spares the larger side's shuffle`,
    );
  },
};

/** Rules that shape the work (before resources are chosen). */
export const SHAPE_RULES: readonly Rule[] = [skew, partitionSize, memoryPressure, pythonUdfCpu, broadcastCandidate];
/** Resource rules of the rules-only strategy (the model-based search replaces them). */
export const RESOURCE_RULES: readonly Rule[] = [idleExecutors];
/** Rules applied last, with whatever budget is left. */
export const LAST_RULES: readonly Rule[] = [driverMemory];
