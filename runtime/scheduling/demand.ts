/**
 * What an application's config asks for at start (gang): its driver and its initial executors,
 * with the back-end's defaults for what the config leaves out, and each pod's memory as Spark sizes
 * the pod: heap plus overhead. The Kubernetes renderer sizes its pods with the same podSizeOf, so
 * that what the planner counts is what the pods request.
 */
import type { ApplicationConfig } from '../domain/config';
import { parseCpuMillis, parseMemoryMiB } from '../domain/quantity';
import type { Demand, Resources } from './types';

/** spark.driver.memory and spark.executor.memory when unset. */
export const DEFAULT_HEAP_MIB = 1024;
/** Spark's spark.{driver,executor}.minMemoryOverhead. */
const MIN_OVERHEAD_MIB = 384;
/** Spark's spark.{driver,executor}.memoryOverheadFactor. */
const DEFAULT_OVERHEAD_FACTOR = 0.1;

/** What a back-end gives a pod whose config leaves its size out. */
export interface PodDefaults {
  driver: { cores: number };
  executor: { cores: number; instances: number };
  /** Heap per core when memory is unset. @default absent: DEFAULT_HEAP_MIB whatever the cores */
  memoryMiBPerCore?: number;
  /** The overhead factor of a Python application when the config sets none. @default the JVM's, 0.1 */
  nonJvmOverheadFactor?: number;
}

/** Spark's own: 1 core and 1g each, spark.executor.instances 2. */
export const SPARK_POD_DEFAULTS: PodDefaults = { driver: { cores: 1 }, executor: { cores: 1, instances: 2 } };

/**
 * On Kubernetes, the hosted product's (see the Ocean API reference): driver 1 core, executors 4
 * cores, 6 executors, 2 GiB of heap a core (a share of an m5/n2 node, 4 GiB per vCPU, that leaves
 * room for overhead); and Spark on Kubernetes gives a Python application 40 % of overhead.
 */
export const KUBERNETES_POD_DEFAULTS = {
  driver: { cores: 1 },
  executor: { cores: 4, instances: 6 },
  memoryMiBPerCore: 2048,
  nonJvmOverheadFactor: 0.4,
} as const satisfies PodDefaults;

/** One pod as Spark sizes it. */
export interface PodSize {
  /** spark.{driver,executor}.cores: the task slots. */
  cores: number;
  /** What the pod requests of the node's CPU: its coreRequest, else its cores. */
  requestCores: number;
  heapMiB: number;
  overheadMiB: number;
}

/** The driver's or an executor's pod for `config`, with `defaults` for what it leaves out. */
export function podSizeOf(role: 'driver' | 'executor', config: ApplicationConfig, defaults: PodDefaults): PodSize {
  const spec = config[role];
  const cores = spec?.cores ?? defaults[role].cores;
  const heapMiB =
    (spec?.memory !== undefined ? parseMemoryMiB(spec.memory) : undefined) ??
    (defaults.memoryMiBPerCore !== undefined ? cores * defaults.memoryMiBPerCore : DEFAULT_HEAP_MIB);
  const explicit = spec?.memoryOverhead !== undefined ? parseMemoryMiB(spec.memoryOverhead) : undefined;
  const factor = Number(
    config.memoryOverheadFactor ??
      (isNonJvm(config) ? (defaults.nonJvmOverheadFactor ?? DEFAULT_OVERHEAD_FACTOR) : DEFAULT_OVERHEAD_FACTOR),
  );
  const requestMillis = spec?.coreRequest !== undefined ? parseCpuMillis(spec.coreRequest) : undefined;
  return {
    cores,
    requestCores: requestMillis !== undefined ? requestMillis / 1000 : cores,
    heapMiB,
    overheadMiB: explicit ?? Math.max(MIN_OVERHEAD_MIB, Math.ceil(heapMiB * factor)),
  };
}

/** Spark's initial executors: the instances, or with dynamic allocation the largest of initial, min and instances. */
export function initialExecutorsOf(config: ApplicationConfig, defaults: PodDefaults): number {
  const conf = config.sparkConf ?? {};
  const instances = config.executor?.instances;
  if (!dynamicAllocationOn(config)) return instances ?? defaults.executor.instances;
  const min = wholeNumber(conf['spark.dynamicAllocation.minExecutors']) ?? 0;
  const initial = wholeNumber(conf['spark.dynamicAllocation.initialExecutors']) ?? min;
  return Math.max(initial, min, instances ?? 0);
}

/** spark.dynamicAllocation.enabled, read as Spark reads a boolean. */
export function dynamicAllocationOn(config: ApplicationConfig): boolean {
  return config.sparkConf?.['spark.dynamicAllocation.enabled']?.trim().toLowerCase() === 'true';
}

/** The gang an application needs before it can run at all, with `defaults` for what its config leaves out. */
export function demandOf(config: ApplicationConfig, defaults: PodDefaults = SPARK_POD_DEFAULTS): Demand {
  const pod = (role: 'driver' | 'executor'): Resources => {
    const size = podSizeOf(role, config, defaults);
    return { cores: size.requestCores, memoryMiB: size.heapMiB + size.overheadMiB };
  };
  return { driver: pod('driver'), executors: { count: initialExecutorsOf(config, defaults), each: pod('executor') } };
}

/** A Python application (its type, else its main file, as the renderer infers it): Spark gives it more overhead on Kubernetes. */
function isNonJvm(config: ApplicationConfig): boolean {
  if (config.type !== undefined) return config.type === 'Python';
  return config.mainApplicationFile !== undefined && /\.py$/i.test(config.mainApplicationFile);
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
