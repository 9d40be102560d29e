import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripText } from './strip-text';

const PREFIX = '/api/v1/namespaces/spark-apps/services/a-ui-svc:4040/proxy';
const ORIGIN = 'https://10.0.0.1:6443';

async function run(chunks: Buffer[], patterns: string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(stripText(patterns))) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('utf8');
}

/** Splits bytes at the given offsets (possibly inside a multi-byte character). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  return chunks;
}

describe('stripText', () => {
  it('deletes the API server prefix, with or without its origin, from links of an HTML page', async () => {
    const html = `<a href="${ORIGIN}${PREFIX}/api/v1/applications/a/spark-ui/jobs/">Jobs</a><img src="${PREFIX}/static/spark-logo.png">`;
    expect(await run([Buffer.from(html)], [`${ORIGIN}${PREFIX}`, PREFIX])).toBe(
      '<a href="/api/v1/applications/a/spark-ui/jobs/">Jobs</a><img src="/static/spark-logo.png">',
    );
  });

  it('gives the same text however the body is cut into chunks, even inside a character or a prefix', async () => {
    const piece = fc.oneof(
      fc.constant(PREFIX),
      fc.constant(`${ORIGIN}${PREFIX}`),
      fc.string({ unit: fc.constantFrom('a', '<', '"', '=', ' ', 'é', '日', '😀') }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (pieces, cuts) => {
          const text = pieces.join('');
          const expected = pieces.filter((p) => p !== PREFIX && p !== `${ORIGIN}${PREFIX}`).join('');
          expect(await run(split(Buffer.from(text, 'utf8'), cuts), [PREFIX, `${ORIGIN}${PREFIX}`])).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes text through unchanged when there is nothing to delete', async () => {
    expect(await run([Buffer.from('plain '), Buffer.from('text')], [])).toBe('plain text');
  });
});
