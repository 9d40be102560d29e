/**
 * Out-of-memory recovery (executor.strategy oomRecovery or autotuning): the memory of the next
 * attempt of a run that died of out-of-memory, and of the job's next runs. Pure: the retries and
 * the submission call it with what fits the cluster.
 *
 * The pod that ran out gets double its heap (the driver, or the executors; the driver when the
 * tasks run in it, as local[N] does), bounded by what the cluster can hold: the largest heap up to
 * the double that still fits, in 64 MiB steps; none above the current one fits: no change.
 */
import type { Application } from '../domain/application';
import type { ApplicationConfig } from '../domain/config';
import type { Provenance } from '../domain/merge';
import { formatMemory, parseMemoryMiB, toSparkMemory } from '../domain/quantity';
import type { FailureCause, MemoryRecovery } from '../domain/recovery';
import { DEFAULT_HEAP_MIB } from '../scheduling/demand';

/** The factor a heap grows by after an out-of-memory failure. */
export const OOM_GROWTH = 2;
const STEP_MIB = 64;

/** Whether a config's strategy asks for out-of-memory recovery. */
export function recoversMemory(config: ApplicationConfig): boolean {
  const strategy = config.executor?.strategy;
  return strategy === 'oomRecovery' || strategy === 'autotuning';
}

export interface RecoveryContext {
  /** Whether an application with this config runs its tasks in the driver's JVM (no executors of their own). */
  tasksInDriver: (config: ApplicationConfig) => boolean;
  /** Whether a config fits the cluster (its gang within the capacity). */
  fits: (config: ApplicationConfig) => boolean;
}

type Pod = 'driver' | 'executor';

function heapOf(config: ApplicationConfig, pod: Pod): number {
  const memory = config[pod]?.memory;
  return (memory !== undefined ? parseMemoryMiB(memory) : undefined) ?? DEFAULT_HEAP_MIB;
}

function withHeap(config: ApplicationConfig, pod: Pod, mib: number): ApplicationConfig {
  return { ...config, [pod]: { ...config[pod], memory: toSparkMemory(mib) } };
}

/**
 * The config of the next attempt after `failed` died of out-of-memory: more memory for the pod that
 * ran out, with the reason; undefined when the cause is not out-of-memory or the cluster holds no
 * more. The caller checks the strategy asks for it (recoversMemory).
 */
export function raiseMemory(
  failed: Pick<Application, 'id' | 'config'>,
  cause: FailureCause,
  context: RecoveryContext,
): { config: ApplicationConfig; memoryRecovery: MemoryRecovery } | undefined {
  if (cause.kind !== 'outOfMemory') return undefined;
  const pod: Pod = cause.component === 'driver' || context.tasksInDriver(failed.config) ? 'driver' : 'executor';
  const from = heapOf(failed.config, pod);
  let to = Math.ceil((from * OOM_GROWTH) / STEP_MIB) * STEP_MIB;
  while (to > from && !context.fits(withHeap(failed.config, pod, to))) to -= STEP_MIB;
  if (to <= from) return undefined;
  const memory = toSparkMemory(to);
  return {
    config: withHeap(failed.config, pod, to),
    memoryRecovery: {
      ...(pod === 'driver' ? { driverMemory: memory } : { executorMemory: memory }),
      reason: `${pod} memory ${formatMemory(from)} -> ${formatMemory(to)}: ${failed.id} ran out of memory (${cause.evidence})`,
      fromAppId: failed.id,
    },
  };
}

/**
 * What the job's next run keeps from recovery: after a run that died of out-of-memory, its raise;
 * after one that ran with recovered memory, that memory (never less than the config asks). The
 * config with it, the provenance marking those values the tuning layer's (they are the runtime's
 * choice), and the record; undefined when there is nothing to carry.
 */
export function carryMemory(
  previous: Pick<Application, 'id' | 'config' | 'failure' | 'memoryRecovery'> | undefined,
  config: ApplicationConfig,
  provenance: Provenance,
  context: RecoveryContext,
): { config: ApplicationConfig; provenance: Provenance; memoryRecovery: MemoryRecovery } | undefined {
  if (!previous || !recoversMemory(config)) return undefined;
  const raised =
    previous.failure?.kind === 'outOfMemory'
      ? raiseMemory(previous, previous.failure, context)?.memoryRecovery
      : previous.memoryRecovery;
  if (!raised) return undefined;
  let next = config;
  const nextProvenance = { ...provenance };
  for (const [pod, memory] of [
    ['driver', raised.driverMemory],
    ['executor', raised.executorMemory],
  ] as const) {
    const mib = memory !== undefined ? parseMemoryMiB(memory) : undefined;
    if (mib === undefined || mib <= heapOf(next, pod) || !context.fits(withHeap(next, pod, mib))) continue;
    next = withHeap(next, pod, mib);
    nextProvenance[`/${pod}/memory`] = 'tuning';
  }
  if (next === config) return undefined;
  return { config: next, provenance: nextProvenance, memoryRecovery: raised };
}
