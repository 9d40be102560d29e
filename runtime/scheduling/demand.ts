/**
 * What an application's config asks for at start (gang): its driver and its initial executors,
 * each with Spark's defaults for what the config leaves out and memory with Spark's overhead.
 */
import type { ApplicationConfig } from '../domain/config';
import { parseMemoryMiB } from '../domain/quantity';
import type { Demand, Resources } from './types';

/** spark.driver.memory and spark.executor.memory when unset. */
export const DEFAULT_HEAP_MIB = 1024;
/** spark.executor.instances when unset and dynamic allocation is off. */
const DEFAULT_EXECUTORS = 2;
const MIN_OVERHEAD_MIB = 384;
const DEFAULT_OVERHEAD_FACTOR = 0.1;

/** The gang an application needs before it can run at all. */
export function demandOf(config: ApplicationConfig): Demand {
  const factor = Number(config.memoryOverheadFactor ?? DEFAULT_OVERHEAD_FACTOR);
  const pod = (spec: ApplicationConfig['driver']): Resources => {
    const heap = (spec?.memory !== undefined ? parseMemoryMiB(spec.memory) : undefined) ?? DEFAULT_HEAP_MIB;
    const explicit = spec?.memoryOverhead !== undefined ? parseMemoryMiB(spec.memoryOverhead) : undefined;
    return {
      cores: spec?.cores ?? 1,
      memoryMiB: heap + (explicit ?? Math.max(MIN_OVERHEAD_MIB, Math.ceil(heap * factor))),
    };
  };
  return { driver: pod(config.driver), executors: { count: initialExecutors(config), each: pod(config.executor) } };
}

/** Spark's initial executors: the instances, or with dynamic allocation the largest of initial, min and instances. */
function initialExecutors(config: ApplicationConfig): number {
  const conf = config.sparkConf ?? {};
  const instances = config.executor?.instances;
  if (conf['spark.dynamicAllocation.enabled']?.trim() !== 'true') return instances ?? DEFAULT_EXECUTORS;
  const min = wholeNumber(conf['spark.dynamicAllocation.minExecutors']) ?? 0;
  const initial = wholeNumber(conf['spark.dynamicAllocation.initialExecutors']) ?? min;
  return Math.max(initial, min, instances ?? 0);
}

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** The total of a gang: driver plus every initial executor. */
export function totalOf(demand: Demand): Resources {
  return { cores: totalCores(demand), memoryMiB: totalMemoryMiB(demand) };
}

export function totalCores({ driver, executors }: Demand): number {
  return driver.cores + executors.count * executors.each.cores;
}

export function totalMemoryMiB({ driver, executors }: Demand): number {
  return driver.memoryMiB + executors.count * executors.each.memoryMiB;
}
