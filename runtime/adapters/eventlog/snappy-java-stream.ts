/**
 * Decoder of snappy-java's SnappyOutputStream framing, which Spark's "snappy" codec writes (not
 * the Snappy framing format): a 16-byte header (0x82 "SNAPPY" 0x00, version and compatible version
 * as big-endian int32s), then chunks of a big-endian int32 length and a raw Snappy block. A
 * header may appear again between chunks when streams were concatenated.
 */
import { ByteReader, EventLogDecodeError } from './byte-reader';

const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_BYTES = 16;

export async function* decodeSnappyJavaStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  if (!(await reader.ensure(HEADER_BYTES)) || !reader.peek(MAGIC.length).equals(MAGIC)) {
    if (await reader.atEnd()) return;
    throw new EventLogDecodeError('snappy', 0, 'no snappy-java stream header');
  }
  reader.take(HEADER_BYTES);
  while (await reader.ensure(4)) {
    if ((await reader.ensure(MAGIC.length)) && reader.peek(MAGIC.length).equals(MAGIC)) {
      if (!(await reader.ensure(HEADER_BYTES))) break;
      reader.take(HEADER_BYTES);
      continue;
    }
    const at = reader.offset;
    const length = reader.take(4).readInt32BE(0);
    if (length < 0) throw new EventLogDecodeError('snappy', at, 'bad chunk length');
    if (!(await reader.ensure(length))) throw new EventLogDecodeError('snappy', at, 'chunk cut short');
    yield snappyDecompress(reader.take(length), at);
  }
  if (!(await reader.atEnd())) throw new EventLogDecodeError('snappy', reader.offset, 'chunk length cut short');
}

/** Decompresses one raw Snappy block (varint length, then literals and copies). */
export function snappyDecompress(src: Uint8Array, at = 0): Uint8Array {
  let ip = 0;
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const b = src[ip++];
    if (b === undefined || shift > 28) throw new EventLogDecodeError('snappy', at, 'bad length varint');
    size += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const dst = new Uint8Array(size);
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const tag = src[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        const bytes = length - 59;
        length = 0;
        for (let i = 0; i < bytes; i++) length += src[ip++]! * 2 ** (8 * i);
      }
      length += 1;
      if (ip + length > end || op + length > size) throw new EventLogDecodeError('snappy', at, 'literal overrun');
      dst.set(src.subarray(ip, ip + length), op);
      ip += length;
      op += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else if (kind === 2) {
      length = (tag >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
    } else {
      length = (tag >>> 2) + 1;
      offset = (src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16)) + src[ip + 3]! * 2 ** 24;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + length > size) throw new EventLogDecodeError('snappy', at, 'bad copy');
    let from = op - offset;
    if (offset >= length) {
      dst.copyWithin(op, from, from + length);
      op += length;
    } else {
      for (const stop = op + length; op < stop;) dst[op++] = dst[from++]!;
    }
  }
  if (op !== size) throw new EventLogDecodeError('snappy', at, `block decoded to ${op} bytes, expected ${size}`);
  return dst;
}
