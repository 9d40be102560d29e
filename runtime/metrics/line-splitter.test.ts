import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter';

describe('LineSplitter', () => {
  it('joins lines cut across chunks and keeps an unterminated last line', () => {
    const splitter = new LineSplitter();
    const out: string[] = [];
    splitter.push('{"a":1}\n{"b"', out);
    splitter.push(':2}\n\n{"c":', out);
    expect(out).toEqual(['{"a":1}', '{"b":2}']);
    splitter.end(out);
    expect(out).toEqual(['{"a":1}', '{"b":2}', '{"c":']);
  });

  it('gives the same lines however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z{}":0-9]{1,12}$/), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const text = lines.map((l) => l + '\n').join('');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const splitter = new LineSplitter();
          const out: string[] = [];
          let from = 0;
          for (const p of [...points, text.length]) {
            splitter.push(text.slice(from, p), out);
            from = p;
          }
          splitter.end(out);
          expect(out).toEqual(lines);
        },
      ),
    );
  });
});
