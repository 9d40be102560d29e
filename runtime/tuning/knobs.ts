/** The values the tuner may change, read from an effective config, and where each one lives. */
import type { ApplicationConfig } from '../domain/config';
import { type Provenance, parsePointer, pointer, valueAtPointer } from '../domain/merge';
import { formatMemory, parseMemoryMiB, toSparkMemory } from '../domain/quantity';
import type { ConfigValue } from './types';

export const SPARK_DEFAULTS = {
  /** Hosted-product default for API submissions. */
  executors: 6,
  cores: 1,
  memoryMiB: 1024,
  driverMemoryMiB: 1024,
  partitions: 200,
  advisoryBytes: 64 * 1024 * 1024,
  /** spark.sql.autoBroadcastJoinThreshold: 10 MiB. */
  broadcastThreshold: 10 * 1024 * 1024,
  /** Spark: memoryOverhead = max(384 MiB, 10% of memory). */
  overheadFactor: 0.1,
  minOverheadMiB: 384,
} as const;

const conf = (key: string) => pointer(['sparkConf', key]);

export const POINTERS = {
  instances: '/executor/instances',
  maxExecutors: conf('spark.dynamicAllocation.maxExecutors'),
  dynamicAllocation: conf('spark.dynamicAllocation.enabled'),
  cores: '/executor/cores',
  memory: '/executor/memory',
  memoryOverhead: '/executor/memoryOverhead',
  driverMemory: '/driver/memory',
  partitions: conf('spark.sql.shuffle.partitions'),
  adaptive: conf('spark.sql.adaptive.enabled'),
  skewJoin: conf('spark.sql.adaptive.skewJoin.enabled'),
  advisoryBytes: conf('spark.sql.adaptive.advisoryPartitionSizeInBytes'),
  instanceType: '/executor/instanceType',
  spot: '/executor/spot',
  pythonArrow: conf('spark.sql.execution.pythonUDF.arrow.enabled'),
  broadcastThreshold: conf('spark.sql.autoBroadcastJoinThreshold'),
} as const;

/** The resource values of a config in numbers, with Spark's defaults filled in. */
export interface Knobs {
  dynamicAllocation: boolean;
  adaptive: boolean;
  skewJoin: boolean;
  executors: number;
  cores: number;
  memoryMiB: number;
  /** undefined: Spark's default, max(384 MiB, 10%). */
  overheadMiB: number | undefined;
  driverMemoryMiB: number;
  partitions: number;
  advisoryBytes: number;
  instanceType: string | undefined;
  allowList: string[] | undefined;
  spot: boolean;
  pythonArrow: boolean;
  /** Bytes; -1 turns broadcast joins off. */
  broadcastThreshold: number;
}

function numberAt(config: ApplicationConfig, ptr: string): number | undefined {
  const value = valueAtPointer(config, ptr);
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function memoryAt(config: ApplicationConfig, ptr: string): number | undefined {
  const value = valueAtPointer(config, ptr);
  return typeof value === 'string' ? parseMemoryMiB(value) : undefined;
}

/** A Spark byte size: plain bytes ("10485760") or with a unit ("10m", "10MB"). */
function bytesAt(config: ApplicationConfig, ptr: string): number | undefined {
  const value = valueAtPointer(config, ptr);
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (/^-?\d+$/.test(value.trim())) return Number(value);
  const mib = parseMemoryMiB(value);
  return mib === undefined ? undefined : mib * 1024 * 1024;
}

function boolAt(config: ApplicationConfig, ptr: string, fallback: boolean): boolean {
  const value = valueAtPointer(config, ptr);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
  return fallback;
}

/** The executor pointer that sets the executor count: maxExecutors under dynamic allocation. */
export function executorsPointer(knobs: Pick<Knobs, 'dynamicAllocation'>): string {
  return knobs.dynamicAllocation ? POINTERS.maxExecutors : POINTERS.instances;
}

/** The pointer that sets the shuffle partition size: the advisory size when adaptive execution is on. */
export function partitionsPointer(knobs: Pick<Knobs, 'adaptive'>): string {
  return knobs.adaptive ? POINTERS.advisoryBytes : POINTERS.partitions;
}

export function readKnobs(config: ApplicationConfig): Knobs {
  const dynamicAllocation = boolAt(config, POINTERS.dynamicAllocation, false);
  // Spark 3.2+ turns adaptive execution on by default, skew join with it
  const adaptive = boolAt(config, POINTERS.adaptive, true);
  return {
    dynamicAllocation,
    adaptive,
    skewJoin: boolAt(config, POINTERS.skewJoin, adaptive),
    executors:
      numberAt(config, dynamicAllocation ? POINTERS.maxExecutors : POINTERS.instances) ?? SPARK_DEFAULTS.executors,
    cores: numberAt(config, POINTERS.cores) ?? SPARK_DEFAULTS.cores,
    memoryMiB: memoryAt(config, POINTERS.memory) ?? SPARK_DEFAULTS.memoryMiB,
    overheadMiB: memoryAt(config, POINTERS.memoryOverhead),
    driverMemoryMiB: memoryAt(config, POINTERS.driverMemory) ?? SPARK_DEFAULTS.driverMemoryMiB,
    partitions: numberAt(config, POINTERS.partitions) ?? SPARK_DEFAULTS.partitions,
    advisoryBytes: numberAt(config, POINTERS.advisoryBytes) ?? SPARK_DEFAULTS.advisoryBytes,
    instanceType: config.executor?.instanceType,
    allowList: config.executor?.instanceAllowList,
    // executors run on spot unless told otherwise (config.ts)
    spot: boolAt(config, POINTERS.spot, true),
    // off by default up to Spark 4.0
    pythonArrow: boolAt(config, POINTERS.pythonArrow, false),
    broadcastThreshold: bytesAt(config, POINTERS.broadcastThreshold) ?? SPARK_DEFAULTS.broadcastThreshold,
  };
}

/** The value a knob has when the config does not set it (Spark's or the back-end's default), in knob units. */
export function effectiveValue(knobs: Knobs, ptr: string): number | boolean | string | undefined {
  switch (ptr) {
    case executorsPointer(knobs):
      return knobs.executors;
    case POINTERS.cores:
      return knobs.cores;
    case POINTERS.memory:
      return knobs.memoryMiB;
    case POINTERS.memoryOverhead:
      return effectiveOverheadMiB(knobs.memoryMiB, knobs.overheadMiB);
    case POINTERS.driverMemory:
      return knobs.driverMemoryMiB;
    case POINTERS.partitions:
      return knobs.partitions;
    case POINTERS.adaptive:
      return knobs.adaptive;
    case POINTERS.skewJoin:
      return knobs.skewJoin;
    case POINTERS.advisoryBytes:
      return knobs.advisoryBytes;
    case POINTERS.spot:
      return knobs.spot;
    case POINTERS.pythonArrow:
      return knobs.pythonArrow;
    case POINTERS.broadcastThreshold:
      return knobs.broadcastThreshold;
    default:
      return undefined;
  }
}

/** The memory overhead Spark gives an executor of `memoryMiB` when none is set. */
export function effectiveOverheadMiB(memoryMiB: number, overheadMiB: number | undefined): number {
  return overheadMiB ?? Math.max(SPARK_DEFAULTS.minOverheadMiB, Math.ceil(memoryMiB * SPARK_DEFAULTS.overheadFactor));
}

/** The value a knob takes in the config, in the config's own form (memory as "5120m", conf values as strings). */
export function configValue(ptr: string, value: number | boolean | string): ConfigValue {
  const inSparkConf = ptr.startsWith('/sparkConf/');
  if (ptr === POINTERS.memory || ptr === POINTERS.memoryOverhead || ptr === POINTERS.driverMemory) {
    return toSparkMemory(value as number);
  }
  return inSparkConf ? String(value) : value;
}

/** A short human form for reasons: memory as "5g", others as they are. */
export function displayValue(ptr: string, value: ConfigValue | undefined): string {
  if (value === undefined) return 'default';
  if (ptr === POINTERS.memory || ptr === POINTERS.memoryOverhead || ptr === POINTERS.driverMemory) {
    const mib = typeof value === 'string' ? parseMemoryMiB(value) : value;
    return typeof mib === 'number' ? formatMemory(mib) : String(value);
  }
  if (ptr === POINTERS.advisoryBytes) return `${formatMemory(Math.round(Number(value) / 1024 / 1024))}`;
  if (ptr === POINTERS.broadcastThreshold) {
    const bytes = Number(value);
    return Number.isFinite(bytes) && bytes >= 0 ? formatMemory(Math.round(bytes / 1024 / 1024)) : String(value);
  }
  return String(value);
}

/** "/executor/memory" -> "executor.memory", "/sparkConf/spark.sql.x" -> "spark.sql.x" */
export function displayName(ptr: string): string {
  const path = parsePointer(ptr);
  return path[0] === 'sparkConf' ? path.slice(1).join('.') : path.join('.');
}

/** Sets a leaf in a plain config object, creating the objects on its path. */
export function setAtPointer(target: Record<string, unknown>, ptr: string, value: unknown): void {
  const path = parsePointer(ptr);
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Every tuning-layer leaf of a run's config: the values an earlier recommendation set. */
export function tuningLeaves(config: ApplicationConfig, provenance: Provenance): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  for (const [ptr, layer] of Object.entries(provenance)) {
    if (layer === 'tuning') leaves.set(ptr, valueAtPointer(config, ptr));
  }
  return leaves;
}
