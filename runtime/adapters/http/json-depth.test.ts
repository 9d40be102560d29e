import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth } from './json-depth';

/** The depth by walking the parsed value, for comparison. */
function parsedDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(parsedDepth));
}

describe('jsonDepth', () => {
  it('agrees with the depth of the parsed value, whatever the strings hold', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => jsonDepth(JSON.stringify(value)) === parsedDepth(value)));
  });

  it('counts no bracket inside a string, escaped quotes included', () => {
    expect(jsonDepth('{"a":"[[[{\\"}}}","b":[1]}')).toBe(2);
    expect(jsonDepth('"[["')).toBe(0);
  });
});
