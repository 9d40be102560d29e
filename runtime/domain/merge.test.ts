import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_LAYERS, type ConfigLayer, mergeConfig, parsePointer, pointer, valueAtPointer } from './merge';

/** Small config-like trees: nested objects whose leaves are strings, numbers, booleans or arrays. */
const key = fc.constantFrom(
  'driver',
  'executor',
  'memory',
  'cores',
  'sparkConf',
  'spark.sql.x',
  'a/b',
  'c~d',
  'labels',
);
const leaf = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const tree: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('node')), { maxKeys: 4 }),
})).node as fc.Arbitrary<Record<string, unknown>>;
const layers = fc.record({ template: tree, tuning: tree, job: tree, overrides: tree }, { requiredKeys: [] });

/** Every leaf of a tree as [pointer, value]; empty objects are not leaves. */
function leaves(value: Record<string, unknown>, path: string[] = []): [string, unknown][] {
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? leaves(v as Record<string, unknown>, [...path, k])
      : [[pointer([...path, k]), v] as [string, unknown]],
  );
}

describe('mergeConfig', () => {
  it('gives overrides the last word on every leaf they set', () => {
    fc.assert(
      fc.property(layers, (input) => {
        const { config, provenance } = mergeConfig(input);
        for (const [ptr, value] of leaves(input.overrides ?? {})) {
          expect(valueAtPointer(config, ptr)).toEqual(value);
          expect(provenance[ptr]).toBe('overrides');
        }
      }),
    );
  });

  it('names, for every leaf of the result, the highest layer that set exactly that value', () => {
    fc.assert(
      fc.property(layers, (input) => {
        const { config, provenance } = mergeConfig(input);
        const resultLeaves = leaves(config as Record<string, unknown>);
        expect(Object.keys(provenance).sort()).toEqual(resultLeaves.map(([ptr]) => ptr).sort());
        for (const [ptr, value] of resultLeaves) {
          const layer = provenance[ptr] as ConfigLayer;
          expect(valueAtPointer(input[layer], ptr)).toEqual(value);
          // no higher layer set this leaf or anything on its path
          const higher = CONFIG_LAYERS.slice(CONFIG_LAYERS.indexOf(layer) + 1);
          const path = parsePointer(ptr);
          for (const above of higher) {
            for (let depth = 1; depth <= path.length; depth += 1) {
              const v = valueAtPointer(input[above], pointer(path.slice(0, depth)));
              const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
              if (depth < path.length) expect(v === undefined || isObject).toBe(true);
              else expect(v).toBeUndefined();
            }
          }
        }
      }),
    );
  });

  it('never modifies its inputs', () => {
    fc.assert(
      fc.property(layers, (input) => {
        const before = structuredClone(input);
        mergeConfig(input);
        expect(input).toEqual(before);
      }),
    );
  });

  it('merges the documented precedence on a concrete config', () => {
    const { config, provenance } = mergeConfig({
      template: { executor: { memory: '8g', cores: 4 }, sparkConf: { 'spark.a': '1', 'spark.b': '1' } },
      tuning: { executor: { memory: '5g', instances: 3 } },
      job: { executor: { instances: 2 }, sparkConf: { 'spark.b': '2' } },
      overrides: { executor: { cores: 2 }, arguments: ['x'] },
    });
    expect(config).toEqual({
      executor: { memory: '5g', cores: 2, instances: 2 },
      sparkConf: { 'spark.a': '1', 'spark.b': '2' },
      arguments: ['x'],
    });
    expect(provenance).toEqual({
      '/executor/memory': 'tuning',
      '/executor/cores': 'overrides',
      '/executor/instances': 'job',
      '/sparkConf/spark.a': 'template',
      '/sparkConf/spark.b': 'job',
      '/arguments': 'overrides',
    });
  });

  it('replaces arrays whole and lets an object replace a lower leaf', () => {
    const { config, provenance } = mergeConfig<Record<string, unknown>>({
      template: { timeout: 'DISABLED', arguments: ['a', 'b'] },
      overrides: { timeout: { minutes: 5 }, arguments: ['c'] },
    });
    expect(config).toEqual({ timeout: { minutes: 5 }, arguments: ['c'] });
    expect(provenance).toEqual({ '/timeout/minutes': 'overrides', '/arguments': 'overrides' });
  });

  it('round-trips pointers with "/" and "~" in keys', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (path) => {
        expect(parsePointer(pointer(path))).toEqual(path);
      }),
    );
  });
});
