/**
 * A streaming filter that deletes every occurrence of some strings from UTF-8 text, holding back
 * only the few characters that may begin an occurrence split across chunks (no buffering of the
 * whole body). The Spark UI proxy uses it to take out the prefix the Kubernetes API server's
 * service proxy puts before the UI's links.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';

export function stripText(patterns: string[]): Transform {
  // longest first, so that a pattern containing another is deleted whole
  const ordered = [...new Set(patterns.filter((p) => p.length > 0))].sort((a, b) => b.length - a.length);
  const hold = Math.max(0, ...ordered.map((p) => p.length)) - 1;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const strip = (text: string) => ordered.reduce((out, pattern) => out.split(pattern).join(''), text);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const text = strip(carry + decoder.write(chunk));
      // any occurrence that ends inside `text` is gone; one that may still end in the next chunk starts in the last `hold` characters
      let cut = Math.max(0, text.length - hold);
      // never between the two halves of a character outside the BMP
      if (cut > 0 && /[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut--;
      carry = text.slice(cut);
      done(null, cut > 0 ? Buffer.from(text.slice(0, cut), 'utf8') : undefined);
    },
    flush(done: TransformCallback) {
      const rest = strip(carry + decoder.end());
      done(null, rest.length > 0 ? Buffer.from(rest, 'utf8') : undefined);
    },
  });
}
