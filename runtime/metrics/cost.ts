/**
 * The cost of a run: each pod (locally, each process) pays for the capacity it held while it
 * ran. On a known instance type (price table by instance type, region and capacity type) a pod
 * pays the instance's hourly price times its share of the instance, the larger of its CPU share
 * and its memory share; otherwise it pays per core-hour and per GiB-hour (the local default).
 */
import { z } from 'zod';
import type { ApplicationConfig } from '../domain/config';
import type { RunCost, RunMetrics } from '../domain/metrics';
import { parseMemoryMiB } from '../domain/quantity';
import { parseOrThrow } from '../domain/validation';

const CAPACITY_TYPES = ['spot', 'on-demand'] as const;
type CapacityType = (typeof CAPACITY_TYPES)[number];

const price = z.number().finite().nonnegative();

const InstancePriceSchema = z.strictObject({
  instanceType: z.string().min(1),
  region: z.string().min(1),
  capacityType: z.enum(CAPACITY_TYPES),
  /** Price of the whole instance per hour. */
  pricePerHour: price,
  vcpus: z.number().finite().positive(),
  memoryGiB: z.number().finite().positive(),
});

/**
 * Default local prices: AWS Fargate's on-demand Linux/x86 list prices in us-east-1 (per vCPU-hour
 * and per GB-hour), a neutral reference for "a core and a GiB for an hour" without an instance.
 */
const DEFAULT_CORE_HOUR_PRICE = 0.04048;
const DEFAULT_GIB_HOUR_PRICE = 0.004445;

const PriceTableSchema = z.strictObject({
  /** @default "USD" */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"')
    .default('USD'),
  /** Prices for pods on no known instance type, and for local processes. */
  local: z
    .strictObject({
      /** @default 0.04048 */
      perCoreHour: price.default(DEFAULT_CORE_HOUR_PRICE),
      /** @default 0.004445 */
      perGiBHour: price.default(DEFAULT_GIB_HOUR_PRICE),
    })
    .default({ perCoreHour: DEFAULT_CORE_HOUR_PRICE, perGiBHour: DEFAULT_GIB_HOUR_PRICE }),
  /** @default [] */
  instances: z.array(InstancePriceSchema).default([]),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Validates a price table from configuration; throws VALIDATION_FAILED naming each bad field. */
export function parsePriceTable(input: unknown, fieldPrefix: readonly PropertyKey[] = ['priceTable']): PriceTable {
  return parseOrThrow(PriceTableSchema, input ?? {}, fieldPrefix);
}

/** One pod (or local process) of a run and the capacity it held. */
export interface PodPlacement {
  name: string;
  cores: number;
  memoryMiB: number;
  startedAtMs: number;
  endedAtMs: number;
  instanceType?: string;
  region?: string;
  capacityType?: CapacityType;
}

export interface RunPlacement {
  pods: PodPlacement[];
}

const HOUR_MS = 3_600_000;

/**
 * Prices a run from where its pods ran.
 * @param placement its pods, or undefined to derive them from the metrics (placementFromMetrics)
 */
export function priceRun(metrics: RunMetrics, placement: RunPlacement | undefined, table: PriceTable): RunCost {
  const pods = (placement ?? placementFromMetrics(metrics)).pods;
  const byKey = new Map(table.instances.map((i) => [`${i.instanceType}|${i.region}|${i.capacityType}`, i]));
  let total = 0;
  let coreHours = 0;
  let gibHours = 0;
  const instanceParts = new Map<string, { hours: number; cost: number }>();
  for (const pod of pods) {
    const hours = Math.max(0, pod.endedAtMs - pod.startedAtMs) / HOUR_MS;
    const instance =
      pod.instanceType === undefined
        ? undefined
        : byKey.get(`${pod.instanceType}|${pod.region ?? ''}|${pod.capacityType ?? 'on-demand'}`);
    if (instance === undefined) {
      coreHours += pod.cores * hours;
      gibHours += (pod.memoryMiB / 1024) * hours;
      continue;
    }
    const share = Math.min(1, Math.max(pod.cores / instance.vcpus, pod.memoryMiB / 1024 / instance.memoryGiB));
    const cost = share * hours * instance.pricePerHour;
    total += cost;
    const label = `${instance.instanceType} ${instance.capacityType} ${instance.region}`;
    const part = instanceParts.get(label) ?? { hours: 0, cost: 0 };
    part.hours += share * hours;
    part.cost += cost;
    instanceParts.set(label, part);
  }
  total += coreHours * table.local.perCoreHour + gibHours * table.local.perGiBHour;
  const parts = [...instanceParts].map(
    ([label, p]) => `${round(p.hours)} instance-hours of ${label} = ${round(p.cost)}`,
  );
  if (coreHours > 0 || gibHours > 0 || parts.length === 0) {
    parts.unshift(
      `${round(coreHours)} core-hours x ${table.local.perCoreHour} + ${round(gibHours)} GiB-hours x ${table.local.perGiBHour}`,
    );
  }
  return { total: round(total, 6), currency: table.currency, method: parts.join(' + ') };
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Spark's reading of a memory setting: a bare number means MiB. */
export function sparkMemoryMiB(value: string | undefined, fallbackMiB: number): number {
  if (value === undefined) return fallbackMiB;
  return /^\d+$/.test(value.trim()) ? Number(value) : (parseMemoryMiB(value) ?? fallbackMiB);
}

/** Spark's default memory overhead of a JVM: max(384 MiB, factor x heap). */
export function withOverhead(props: Record<string, string>, role: 'driver' | 'executor', heapMiB: number): number {
  const explicit = props[`spark.${role}.memoryOverhead`];
  if (explicit !== undefined) return heapMiB + sparkMemoryMiB(explicit, 384);
  const factor = Number(
    props[`spark.${role}.memoryOverheadFactor`] ?? props['spark.kubernetes.memoryOverheadFactor'] ?? 0.1,
  );
  return heapMiB + Math.max(384, Math.ceil(heapMiB * (Number.isFinite(factor) ? factor : 0.1)));
}

/**
 * Where a run's capacity went when nothing better is known, from its own metrics: each executor
 * for its uptime with its cores and spark.executor.memory (+ overhead), and, unless the driver ran
 * the tasks (local mode), a driver with spark.driver.cores and spark.driver.memory for the whole
 * run. Locally the process is the "driver" executor: its cores and spark.driver.memory.
 * `node` adds instance type, region and capacity type to every pod.
 */
export function placementFromMetrics(
  metrics: RunMetrics,
  node: Pick<PodPlacement, 'instanceType' | 'region' | 'capacityType'> = {},
): RunPlacement {
  const props = metrics.sparkProperties;
  const driverMiB = withOverhead(props, 'driver', sparkMemoryMiB(props['spark.driver.memory'], 1024));
  const executorMiB = withOverhead(props, 'executor', sparkMemoryMiB(props['spark.executor.memory'], 1024));
  const pods: PodPlacement[] = metrics.executors.map((e) => ({
    name: e.executorId === 'driver' ? 'driver' : `executor-${e.executorId}`,
    cores: e.cores,
    memoryMiB: e.executorId === 'driver' ? driverMiB : executorMiB,
    startedAtMs: e.addedAt,
    endedAtMs: e.removedAt ?? e.addedAt,
    ...node,
  }));
  if (!metrics.executors.some((e) => e.executorId === 'driver')) {
    // only the driver's lifetime matters for its cost: the application's duration
    pods.push({
      name: 'driver',
      cores: Number(props['spark.driver.cores'] ?? 1) || 1,
      memoryMiB: driverMiB,
      startedAtMs: 0,
      endedAtMs: metrics.durationMs,
      ...node,
    });
  }
  return { pods };
}

/**
 * What a run asked for, held from its start to its end: the driver and every requested executor
 * with the cores and memory (+ overhead) of its config, Spark's defaults for what it leaves out.
 * The cost of a run whose event log ends early (a killed driver) is at least this.
 */
export function placementFromConfig(config: ApplicationConfig, startedAtMs: number, endedAtMs: number): RunPlacement {
  const props: Record<string, string> = {};
  for (const role of ['driver', 'executor'] as const) {
    const spec = config[role];
    if (spec?.memory !== undefined) props[`spark.${role}.memory`] = spec.memory;
    if (spec?.memoryOverhead !== undefined) props[`spark.${role}.memoryOverhead`] = spec.memoryOverhead;
    if (config.memoryOverheadFactor !== undefined) {
      props[`spark.${role}.memoryOverheadFactor`] = String(config.memoryOverheadFactor);
    }
  }
  const pod = (name: string, cores: number, role: 'driver' | 'executor'): PodPlacement => ({
    name,
    cores,
    memoryMiB: withOverhead(props, role, sparkMemoryMiB(props[`spark.${role}.memory`], 1024)),
    startedAtMs,
    endedAtMs,
  });
  const executors = config.executor?.instances ?? 2;
  return {
    pods: [
      pod('driver', config.driver?.cores ?? 1, 'driver'),
      ...Array.from({ length: executors }, (_, i) => pod(`executor-${i + 1}`, config.executor?.cores ?? 1, 'executor')),
    ],
  };
}
