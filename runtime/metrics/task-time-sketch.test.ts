import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskTimeSketch } from './task-time-sketch';

function exactMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('TaskTimeSketch', () => {
  it('is exact up to its limit', () => {
    const sketch = new TaskTimeSketch(8);
    for (const v of [5, 1, 9, 3]) sketch.add(v);
    expect(sketch.median()).toBe(4);
    expect(sketch.max).toBe(9);
    expect(sketch.count).toBe(4);
  });

  it('estimates the median within 1% past its limit, keeping the exact max', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 10_000_000 }), { minLength: 20, maxLength: 400 }), (values) => {
        const sketch = new TaskTimeSketch(10);
        for (const v of values) sketch.add(v);
        expect(sketch.count).toBe(values.length);
        expect(sketch.max).toBe(Math.max(...values));
        const median = exactMedian(values);
        // the two middle values may sit in different buckets: bound by the values' own error
        expect(Math.abs(sketch.median() - median)).toBeLessThanOrEqual(median * 0.0101 + 1e-9);
      }),
    );
  });

  it('treats zero-time tasks as the 1 ms floor in the histogram', () => {
    const sketch = new TaskTimeSketch(2);
    for (const v of [0, 0, 0, 50]) sketch.add(v);
    expect(sketch.median()).toBe(1);
  });
});
