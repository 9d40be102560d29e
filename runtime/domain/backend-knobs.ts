/**
 * What the tuner may change on a back-end kind, and within which ranges: each kind's plug-in
 * (runtime/adapters/{local,k8s}/plugin.ts) declares its knobs from these builders, so the tuner
 * proposes only values the back-end honours without importing an adapter.
 */
import { z } from 'zod';
import { BackendKind } from './cluster';

/** The config values the tuner knows how to tune (see runtime/tuning/knobs.ts for their config paths). */
export const TunableKnob = z.enum([
  'instances',
  'maxExecutors',
  'cores',
  'memory',
  'memoryOverhead',
  'driverMemory',
  'partitions',
  'adaptive',
  'skewJoin',
  'advisoryBytes',
  'instanceType',
  'spot',
  'pythonArrow',
  'broadcastThreshold',
]);
export type TunableKnob = z.infer<typeof TunableKnob>;
export const TUNABLE_KNOBS = TunableKnob.options;

/** Bounds of a numeric knob, in its own unit (count, cores, MiB, bytes). @default unbounded on that side */
export const KnobRange = z.strictObject({ min: z.number().optional(), max: z.number().optional() });
export type KnobRange = z.infer<typeof KnobRange>;

export const CpuArchitecture = z.enum(['amd64', 'arm64']);
export type CpuArchitecture = z.infer<typeof CpuArchitecture>;

export const BackendKnobs = z.strictObject({
  kind: BackendKind,
  /** The knobs the back-end honours, each with its range (empty: no bound beyond the tuner's own). */
  knobs: z.partialRecord(TunableKnob, KnobRange),
  /** Most executors x cores at once (a local machine's parallelism). @default unbounded */
  maxSlots: z.number().int().positive().optional(),
  /** CPU architecture of the images: instance types of another architecture are never proposed. @default any */
  architecture: CpuArchitecture.optional(),
});
export type BackendKnobs = z.infer<typeof BackendKnobs>;

const ALL: BackendKnobs['knobs'] = Object.fromEntries(TUNABLE_KNOBS.map((k) => [k, {}]));

/** A back-end that declared nothing: every knob, as the tuner did before back-ends declared theirs. */
export function undeclaredKnobs(kind: string): BackendKnobs {
  return { kind, knobs: ALL };
}

/**
 * spark-submit on one machine: the master's executors and cores (local[N], local-cluster[k,c,m])
 * within the machine's parallelism, the driver's memory, and the shuffle's partitions and adaptive
 * settings, and the SQL settings (Arrow for Python UDFs, the broadcast threshold). Executor memory,
 * overhead, instance types and spot mean nothing there.
 */
export function localKnobs(limits: { maxParallelism: number; maxDriverMemoryMiB?: number }): BackendKnobs {
  return {
    kind: 'local',
    knobs: {
      instances: { min: 1, max: limits.maxParallelism },
      cores: { min: 1, max: limits.maxParallelism },
      driverMemory: {
        min: 1024,
        ...(limits.maxDriverMemoryMiB !== undefined ? { max: limits.maxDriverMemoryMiB } : {}),
      },
      partitions: { min: 1 },
      adaptive: {},
      skewJoin: {},
      advisoryBytes: { min: 1024 * 1024 },
      pythonArrow: {},
      broadcastThreshold: { min: -1 },
    },
    maxSlots: limits.maxParallelism,
  };
}

/**
 * spark-operator on Kubernetes: executors (or dynamic allocation's maximum), cores, memory and
 * overhead, driver memory, instance types of the images' architecture within the allow-list,
 * spot for executors, the shuffle settings and the SQL settings.
 */
export function kubernetesKnobs(options: { architecture?: CpuArchitecture } = {}): BackendKnobs {
  return {
    kind: 'kubernetes',
    knobs: {
      instances: { min: 1 },
      maxExecutors: { min: 1 },
      cores: { min: 1 },
      memory: { min: 1024 },
      memoryOverhead: { min: 384 },
      driverMemory: { min: 1024 },
      partitions: { min: 1 },
      adaptive: {},
      skewJoin: {},
      advisoryBytes: { min: 1024 * 1024 },
      instanceType: {},
      spot: {},
      pythonArrow: {},
      broadcastThreshold: { min: -1 },
    },
    architecture: options.architecture ?? 'amd64',
  };
}
