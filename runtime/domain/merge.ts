/**
 * The config merge: template < tuning recommendation < job config < configOverrides, where a job
 * that lists its pins (tuning.pin) gives its other values as starting points below the tuning:
 * template < job (unpinned) < tuning < job (pinned) < configOverrides.
 * Objects merge key by key; anything else (strings, numbers, arrays) is a leaf that the higher
 * layer replaces whole. Every leaf of the result says which layer set it.
 */
import { z } from 'zod';

export const ConfigLayer = z.enum(['template', 'tuning', 'job', 'overrides']);
export type ConfigLayer = z.infer<typeof ConfigLayer>;
export const CONFIG_LAYERS = ConfigLayer.options;

export type Layers<T> = Partial<Record<ConfigLayer, T | undefined>>;

/** JSON pointer (RFC 6901) of a leaf -> the layer that set it, e.g. "/executor/memory" -> "tuning". */
export const Provenance = z
  .record(z.string(), ConfigLayer)
  .meta({ description: 'For every leaf of `config` (JSON pointer, e.g. "/executor/memory"), the layer that set it.' });
export type Provenance = z.infer<typeof Provenance>;

export interface MergeResult<T> {
  config: T;
  provenance: Provenance;
  /** For each leaf the tuning layer set over a lower layer's value: that starting value (pointer -> value). */
  tunedFrom: Record<string, unknown>;
}

export interface MergeOptions {
  /**
   * JSON pointers of the job's pinned values: only these (and what lies under them) rank above
   * the tuning layer, the job's other values below it. @default undefined: the whole job config ranks above tuning
   */
  jobPins?: readonly string[];
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pointer(path: readonly string[]): string {
  return path.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface MergeState {
  provenance: Provenance;
  tunedFrom: Record<string, unknown>;
}

function mergeInto(target: Json, source: Json, layer: ConfigLayer, path: string[], state: MergeState): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const childPath = [...path, key];
    const current = target[key];
    if (isPlainObject(value)) {
      if (!isPlainObject(current)) {
        // a lower layer's leaf here is replaced by this object: forget where its parts came from
        dropUnder(state.provenance, childPath);
        target[key] = {};
      }
      mergeInto(target[key] as Json, value, layer, childPath, state);
    } else {
      const ptr = pointer(childPath);
      if (layer === 'tuning' && current !== undefined && !isPlainObject(current)) state.tunedFrom[ptr] = current;
      dropUnder(state.provenance, childPath);
      target[key] = structuredClone(value);
      state.provenance[ptr] = layer;
    }
  }
}

/** Splits a config into its leaves under the pins and the rest. */
function splitByPins(source: Json, pins: readonly string[], path: string[] = []): { pinned: Json; free: Json } {
  const pinned: Json = {};
  const free: Json = {};
  for (const [key, value] of Object.entries(source)) {
    const childPath = [...path, key];
    const ptr = pointer(childPath);
    if (pins.some((pin) => ptr === pin || ptr.startsWith(`${pin}/`))) pinned[key] = value;
    else if (isPlainObject(value) && pins.some((pin) => pin.startsWith(`${ptr}/`))) {
      const inner = splitByPins(value, pins, childPath);
      if (Object.keys(inner.pinned).length > 0) pinned[key] = inner.pinned;
      if (Object.keys(inner.free).length > 0) free[key] = inner.free;
    } else free[key] = value;
  }
  return { pinned, free };
}

function dropUnder(provenance: Provenance, path: string[]): void {
  const prefix = pointer(path);
  for (const key of Object.keys(provenance)) {
    if (key === prefix || key.startsWith(`${prefix}/`)) delete provenance[key];
  }
}

/** Deep-merges the layers in precedence order; pure: the inputs are never modified. */
export function mergeConfig<T extends object>(layers: Layers<T>, options: MergeOptions = {}): MergeResult<T> {
  const config: Json = {};
  const state: MergeState = { provenance: {}, tunedFrom: {} };
  const job = layers.job as Json | undefined;
  const split = job && options.jobPins ? splitByPins(job, options.jobPins) : undefined;
  const order: [ConfigLayer, Json | undefined][] = [
    ['template', layers.template as Json | undefined],
    ['job', split?.free],
    ['tuning', layers.tuning as Json | undefined],
    ['job', split ? split.pinned : job],
    ['overrides', layers.overrides as Json | undefined],
  ];
  for (const [layer, value] of order) if (value) mergeInto(config, value, layer, [], state);
  // a starting value the tuning replaced counts only where the tuning value itself was kept
  const tunedFrom = Object.fromEntries(
    Object.entries(state.tunedFrom).filter(([ptr]) => state.provenance[ptr] === 'tuning'),
  );
  return { config: config as T, provenance: state.provenance, tunedFrom };
}

/** The value at a JSON pointer, or undefined. */
export function valueAtPointer(config: unknown, ptr: string): unknown {
  let value: unknown = config;
  for (const key of parsePointer(ptr)) {
    if (!isPlainObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Json)[key];
  }
  return value;
}
