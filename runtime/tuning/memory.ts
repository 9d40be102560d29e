/** How much executor memory a shape needs, from the peaks the job's runs measured. */
import { readKnobs } from './knobs';
import type { RunVerdict } from './signals';
import type { TuningRun } from './types';

const MIB = 1024 * 1024;
/** Spark's reserved heap, which does not grow with cores. */
export const RESERVED_HEAP_MIB = 300;
/** Share of per-executor memory assumed fixed (broadcasts, caches) when cores per executor go down. */
const FIXED_SHARE = 0.3;

/**
 * The cores a run's executors really had, from its metrics: local[N] gives the driver N task
 * threads whatever executor.cores says, and a back-end may cap what the config asked.
 * @default the config's executor.cores when the metrics list no executor
 */
export function coresUsed(run: TuningRun): number {
  const executors = run.metrics?.executors ?? [];
  const workers = executors.filter((e) => e.executorId !== 'driver' && e.cores > 0);
  const measured = workers.length
    ? Math.max(...workers.map((e) => e.cores))
    : executors.find((e) => e.executorId === 'driver' && e.cores > 1)?.cores;
  return measured ?? readKnobs(run.config).cores;
}

export interface MemoryEvidence {
  /** Peak JVM memory per core above the reserved heap, MiB (max over the runs). */
  perCoreMiB: number;
  /** Non-heap memory (RSS - JVM) per core, MiB, when the log has RSS. */
  nonHeapPerCoreMiB: number | undefined;
  /** The Python workers' peak RSS (part of the non-heap memory) and the run it was measured in, when the log has it. */
  python?: { peakRssMiB: number; perCoreMiB: number; run: string };
  /** A peak this close to the heap says nothing about the true need. */
  saturated: boolean;
  peakJvmMiB: number;
  runs: number;
  /** Cores per executor the latest of those runs really had (coresUsed). */
  cores: number;
  /** The runs the peak comes from, e.g. "etl-3" (those with an id). */
  runIds: string[];
  /** Memory per core below which a run died of out-of-memory, MiB. */
  heapFloorPerCoreMiB: number;
  overheadFloorPerCoreMiB: number;
}

/** Evidence from the latest successful runs with the same shuffle settings as `ref`, plus OOM floors from failures. */
export function memoryEvidence(
  runs: readonly TuningRun[],
  ref: TuningRun,
  verdicts: ReadonlyMap<TuningRun, RunVerdict>,
): MemoryEvidence {
  const refKnobs = readKnobs(ref.config);
  const sameShuffle = runs
    .filter((r) => verdicts.get(r) === 'ok' && r.metrics?.peakJvmMemoryBytes !== undefined)
    .filter((r) => {
      const k = readKnobs(r.config);
      return k.partitions === refKnobs.partitions && k.advisoryBytes === refKnobs.advisoryBytes;
    })
    .slice(-3);
  let perCoreMiB = 0;
  let nonHeap: number | undefined;
  let python: MemoryEvidence['python'];
  let saturated = false;
  let peakJvmMiB = 0;
  let cores = coresUsed(ref);
  for (const run of sameShuffle) {
    const k = readKnobs(run.config);
    const used = coresUsed(run);
    cores = used;
    const peak = run.metrics!.peakJvmMemoryBytes! / MIB;
    peakJvmMiB = Math.max(peakJvmMiB, peak);
    perCoreMiB = Math.max(perCoreMiB, Math.max(0, peak - RESERVED_HEAP_MIB) / used);
    if (peak >= 0.9 * k.memoryMiB) saturated = true;
    const rss = run.metrics!.peakRssBytes;
    if (rss !== undefined) nonHeap = Math.max(nonHeap ?? 0, Math.max(0, rss / MIB - peak) / used);
    const pythonRss = run.metrics!.peakPythonRssBytes;
    if (pythonRss !== undefined && pythonRss / MIB / used > (python?.perCoreMiB ?? 0)) {
      python = { peakRssMiB: pythonRss / MIB, perCoreMiB: pythonRss / MIB / used, run: run.appId ?? 'a past run' };
    }
  }
  let heapFloorPerCoreMiB = 0;
  let overheadFloorPerCoreMiB = 0;
  for (const run of runs) {
    const k = readKnobs(run.config);
    const verdict = verdicts.get(run);
    if (verdict === 'oom-heap') heapFloorPerCoreMiB = Math.max(heapFloorPerCoreMiB, (k.memoryMiB / k.cores) * 1.3);
    if (verdict === 'oom-overhead') {
      const overhead = k.overheadMiB ?? Math.max(384, k.memoryMiB * 0.1);
      overheadFloorPerCoreMiB = Math.max(overheadFloorPerCoreMiB, (overhead / k.cores) * 1.5);
    }
  }
  return {
    perCoreMiB,
    nonHeapPerCoreMiB: nonHeap,
    ...(python ? { python } : {}),
    saturated: saturated || sameShuffle.length === 0,
    peakJvmMiB,
    runs: sameShuffle.length,
    cores,
    runIds: sameShuffle.flatMap((r) => (r.appId !== undefined ? [r.appId] : [])),
    heapFloorPerCoreMiB,
    overheadFloorPerCoreMiB,
  };
}

/** Scales a per-core amount measured at `fromCores` to `toCores`, keeping a fixed share when cores go down. */
export function scaleByCores(perCore: number, fromCores: number, toCores: number): number {
  if (toCores >= fromCores) return perCore * toCores;
  return perCore * (FIXED_SHARE * fromCores + (1 - FIXED_SHARE) * toCores);
}

/** Rounds memory up to a whole 256 MiB. */
export function roundMemoryMiB(mib: number): number {
  return Math.ceil(mib / 256) * 256;
}
