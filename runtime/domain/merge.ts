/**
 * The config merge: template < tuning recommendation < job config < configOverrides.
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

function mergeInto(target: Json, source: Json, layer: ConfigLayer, path: string[], provenance: Provenance): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const childPath = [...path, key];
    const current = target[key];
    if (isPlainObject(value)) {
      if (!isPlainObject(current)) {
        // a lower layer's leaf here is replaced by this object: forget where its parts came from
        dropUnder(provenance, childPath);
        target[key] = {};
      }
      mergeInto(target[key] as Json, value, layer, childPath, provenance);
    } else {
      dropUnder(provenance, childPath);
      target[key] = structuredClone(value);
      provenance[pointer(childPath)] = layer;
    }
  }
}

function dropUnder(provenance: Provenance, path: string[]): void {
  const prefix = pointer(path);
  for (const key of Object.keys(provenance)) {
    if (key === prefix || key.startsWith(`${prefix}/`)) delete provenance[key];
  }
}

/** Deep-merges the layers in precedence order; pure: the inputs are never modified. */
export function mergeConfig<T extends object>(layers: Layers<T>): MergeResult<T> {
  const config: Json = {};
  const provenance: Provenance = {};
  for (const layer of CONFIG_LAYERS) {
    const value = layers[layer];
    if (value) mergeInto(config, value as Json, layer, [], provenance);
  }
  return { config: config as T, provenance };
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
