import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RadixSorter } from './radix-sort';

/** The same sort by a stable comparator sort. */
function bySort(keys: number[], descending: boolean): number[] {
  return keys.map((_, i) => i).sort((a, b) => (descending ? keys[b]! - keys[a]! : keys[a]! - keys[b]!));
}

function byRadix(keys: number[], descending: boolean): number[] {
  const index = Int32Array.from(keys, (_, i) => i);
  new RadixSorter(keys.length).sort(index, Float64Array.from(keys), descending);
  return [...index];
}

const key = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Infinity, -Infinity, 2 ** 53, 1.5e12),
);

describe('RadixSorter', () => {
  it('orders like a stable comparator sort, ascending and descending, ties in their given order', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), fc.boolean(), (keys, descending) => {
        expect(byRadix(keys, descending)).toEqual(bySort(keys, descending));
      }),
      { numRuns: 300 },
    );
  });

  it('sorts the given order, not the identity: a second sort keeps the first among equal keys', () => {
    const sorter = new RadixSorter(4);
    const index = Int32Array.from([0, 1, 2, 3]);
    sorter.sort(index, Float64Array.from([3, 1, 2, 0]));
    expect([...index]).toEqual([3, 1, 2, 0]);
    // keys per position in the data: 0 and 2 share one, 1 and 3 the other
    sorter.sort(index, Float64Array.from([0, 1, 0, 1]));
    expect([...index]).toEqual([2, 0, 3, 1]);
  });

  it('refuses indices of another length than its buffers', () => {
    expect(() => new RadixSorter(3).sort(new Int32Array(2), new Float64Array(3))).toThrow(/sorter of 3 was given 2/);
  });
});
