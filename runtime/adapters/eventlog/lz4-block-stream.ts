/**
 * Decoder of lz4-java's LZ4BlockOutputStream framing, which Spark's "lz4" codec writes (it is
 * not the LZ4 frame format of the lz4 command). Each block: the magic "LZ4Block", a token
 * (method 0x10 raw or 0x20 LZ4, plus the level), compressed and original lengths and an XXHash32
 * checksum (little-endian int32s), then the data. An empty block ends a stream; another stream
 * may follow. The checksum is not verified: a damaged block shows up as JSON that does not parse.
 */
import { ByteReader, EventLogDecodeError } from './byte-reader';

const MAGIC = Buffer.from('LZ4Block', 'latin1');
const HEADER_BYTES = MAGIC.length + 1 + 4 + 4 + 4;
const METHOD_RAW = 0x10;
const METHOD_LZ4 = 0x20;

export async function* decodeLz4BlockStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  while (await reader.ensure(HEADER_BYTES)) {
    const at = reader.offset;
    const header = reader.take(HEADER_BYTES);
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new EventLogDecodeError('lz4', at, 'no LZ4Block magic');
    const method = header[MAGIC.length]! & 0xf0;
    const compressedBytes = header.readInt32LE(MAGIC.length + 1);
    const originalBytes = header.readInt32LE(MAGIC.length + 5);
    if (originalBytes === 0) continue;
    if (compressedBytes < 0 || originalBytes < 0 || (method !== METHOD_RAW && method !== METHOD_LZ4)) {
      throw new EventLogDecodeError('lz4', at, 'bad block header');
    }
    if (!(await reader.ensure(compressedBytes))) throw new EventLogDecodeError('lz4', at, 'block cut short');
    const data = reader.take(compressedBytes);
    if (method === METHOD_RAW) yield Buffer.from(data);
    else yield lz4BlockDecompress(data, originalBytes, at);
  }
  if (!(await reader.atEnd())) throw new EventLogDecodeError('lz4', reader.offset, 'header cut short');
}

/** Decompresses one raw LZ4 block whose decompressed size is known. */
export function lz4BlockDecompress(src: Uint8Array, originalBytes: number, at = 0): Uint8Array {
  const dst = new Uint8Array(originalBytes);
  let ip = 0;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        b = src[ip++]!;
        literals += b;
      } while (b === 255 && ip < end);
    }
    if (ip + literals > end || op + literals > originalBytes)
      throw new EventLogDecodeError('lz4', at, 'literals overrun');
    dst.set(src.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    if (ip >= end) break;
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        b = src[ip++]!;
        length += b;
      } while (b === 255 && ip < end);
    }
    length += 4;
    if (offset === 0 || offset > op || op + length > originalBytes)
      throw new EventLogDecodeError('lz4', at, 'bad match');
    let from = op - offset;
    if (offset >= length) {
      dst.copyWithin(op, from, from + length);
      op += length;
    } else {
      // overlapping copy repeats the last `offset` bytes
      for (const stop = op + length; op < stop;) dst[op++] = dst[from++]!;
    }
  }
  if (op !== originalBytes)
    throw new EventLogDecodeError('lz4', at, `block decoded to ${op} bytes, expected ${originalBytes}`);
  return dst;
}
