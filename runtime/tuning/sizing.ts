/** Executor memory and memory overhead for a given number of cores, from measured peaks and the draft's floors. */
import type { Draft, TuningContext } from './context';
import { effectiveOverheadMiB } from './knobs';
import { RESERVED_HEAP_MIB, roundMemoryMiB, scaleByCores } from './memory';

export interface Sized {
  memoryMiB: number;
  /** undefined: leave Spark's default overhead. */
  overheadMiB: number | undefined;
  memoryReason: string;
  overheadReason: string;
}

const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

/** Memory for `cores` cores per executor, or undefined when it would exceed the bounds. */
export function sizeExecutor(
  ctx: TuningContext,
  draft: Draft,
  cores: number,
  memoryTunable: boolean,
): Sized | undefined {
  const ref = ctx.refKnobs;
  const ev = ctx.memory;
  let memoryMiB = ref.memoryMiB;
  let memoryReason = 'memory kept';
  if (memoryTunable) {
    // per core of what the run really had: a run capped to 2 cores says nothing about 4
    const measured = (RESERVED_HEAP_MIB + scaleByCores(ev.perCoreMiB, ev.cores, cores)) * draft.headroom;
    memoryMiB = measured;
    memoryReason = `peak JVM memory ${gib(ev.peakJvmMiB)} over the last ${ev.runs} run${ev.runs === 1 ? '' : 's'}${ev.runIds.length ? ` (${ev.runIds.join(', ')})` : ''} at ${ev.cores} core${ev.cores === 1 ? '' : 's'}, ${Math.round((draft.headroom - 1) * 100)}% headroom${draft.memoryFloorReason ? `; ${draft.memoryFloorReason}` : ''}`;
    const kept = scaleByCores(ref.memoryMiB / ref.cores, ref.cores, cores);
    if ((ev.saturated || draft.holdMemoryPerCore) && kept > memoryMiB) {
      memoryMiB = kept;
      memoryReason = ev.saturated
        ? `peak JVM memory reached the heap (${gib(ev.peakJvmMiB)}): memory per core kept`
        : 'partitions change: memory per core kept until a run measures them';
    }
    if (draft.memoryFloorPerCoreMiB * cores > memoryMiB) {
      memoryMiB = draft.memoryFloorPerCoreMiB * cores;
      memoryReason = draft.memoryFloorReason ?? 'memory per core kept';
    }
    if (ev.heapFloorPerCoreMiB * cores > memoryMiB) {
      memoryMiB = ev.heapFloorPerCoreMiB * cores;
      memoryReason = `an earlier run died of out-of-memory at ${Math.round(ev.heapFloorPerCoreMiB / 1.3)} MiB per core; 30% above it`;
    }
    memoryMiB = Math.max(ctx.bounds.minMemoryMiB, roundMemoryMiB(memoryMiB));
    // small cuts are not worth a change
    if (memoryMiB < ref.memoryMiB && memoryMiB > ref.memoryMiB * 0.9 && cores === ref.cores) memoryMiB = ref.memoryMiB;
    if (memoryMiB > ctx.bounds.maxMemoryMiB) return undefined;
  } else if (cores > ref.cores && scaleByCores(ev.perCoreMiB, ev.cores, cores) + RESERVED_HEAP_MIB > memoryMiB / 1.25) {
    return undefined;
  }

  const defaultOverhead = effectiveOverheadMiB(memoryMiB, undefined);
  let need = ev.overheadFloorPerCoreMiB * cores;
  let overheadReason = 'an earlier run was killed for exceeding its memory limit; +50% per core';
  if (ev.nonHeapPerCoreMiB !== undefined) {
    const measured = Math.max(384, scaleByCores(ev.nonHeapPerCoreMiB, ref.cores, cores) * 1.25);
    if (measured > need) {
      need = measured;
      // PySpark: the Python workers live in the overhead, not the heap; say how much of it they took
      const python = ev.python
        ? `, of which Python workers ${Math.round(ev.python.perCoreMiB)} MiB per core (peak ${Math.round(ev.python.peakRssMiB)} MiB in ${ev.python.run})`
        : '';
      overheadReason = `non-heap memory (RSS - JVM) ${Math.round(ev.nonHeapPerCoreMiB)} MiB per core measured${python}, 25% headroom`;
    }
  } else if (ref.overheadMiB !== undefined) {
    // no RSS measured: never give less non-heap memory per core than the last run had
    const kept = scaleByCores(ref.overheadMiB / ref.cores, ref.cores, cores);
    if (kept > need) [need, overheadReason] = [kept, 'no RSS measured: overhead per core kept'];
  }
  let overheadMiB: number | undefined;
  if (need > defaultOverhead || ref.overheadMiB !== undefined) overheadMiB = roundMemoryMiB(Math.max(need, 384));
  if (
    overheadMiB !== undefined &&
    ref.overheadMiB !== undefined &&
    Math.abs(overheadMiB - ref.overheadMiB) < 0.1 * ref.overheadMiB
  ) {
    overheadMiB = ref.overheadMiB;
  }
  return { memoryMiB, overheadMiB, memoryReason, overheadReason };
}
