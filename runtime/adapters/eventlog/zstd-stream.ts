/**
 * Zstandard decoding for Spark's default event-log codec (Spark 4 compresses event logs with zstd
 * by default), with fzstd: pure JavaScript and streaming, since Node 20's zlib has no zstd.
 */
import { Decompress } from 'fzstd';
import { EventLogDecodeError } from './byte-reader';

export async function* decodeZstdStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => {
    out.push(chunk);
  });
  let offset = 0;
  const flush = function* (): Generator<Uint8Array> {
    const ready = out;
    out = [];
    yield* ready;
  };
  try {
    for await (const chunk of source) {
      decoder.push(chunk);
      offset += chunk.byteLength;
      yield* flush();
    }
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    yield* flush();
    throw new EventLogDecodeError('zstd', offset, error instanceof Error ? error.message : String(error));
  }
  yield* flush();
}
