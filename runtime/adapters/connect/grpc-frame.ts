/**
 * The little of the gRPC wire format the Spark Connect proxy reads and writes: the 5-byte header of
 * a length-prefixed message, field 1 (`session_id`) of the protobuf message that follows, the short
 * fields of an execution's first message as it streams by, and the two-level messages the proxy
 * sends itself. Every Spark Connect request message carries the session's id as field 1, a string;
 * the proxy routes a call by it and forwards the bytes unchanged.
 */

/** Compressed flag (1 byte) and big-endian message length (4 bytes). */
export const FRAME_HEADER_BYTES = 5;

export interface FrameHeader {
  compressed: boolean;
  length: number;
}

/** The header at the start of `bytes`; undefined while fewer than 5 bytes arrived. */
export function readFrameHeader(bytes: Uint8Array): FrameHeader | undefined {
  if (bytes.length < FRAME_HEADER_BYTES) return undefined;
  const length = ((bytes[1]! << 24) >>> 0) + (bytes[2]! << 16) + (bytes[3]! << 8) + bytes[4]!;
  return { compressed: bytes[0] === 1, length };
}

/**
 * What a prefix of a message says about its field 1: found (the string), absent (the whole
 * message was read and has no field 1), more bytes needed, or invalid protobuf.
 */
export type Field1 =
  { kind: 'found'; value: string } | { kind: 'absent' } | { kind: 'need-more' } | { kind: 'invalid'; reason: string };

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A varint at `offset`: its value (up to 2^53) and the offset after it; 'cut' when it runs past the bytes. */
function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } | 'cut' | 'too-long' {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i += 1) {
    if (offset + i >= bytes.length) return 'cut';
    const byte = bytes[offset + i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  return 'too-long';
}

/**
 * Field 1 of a protobuf message of `messageLength` bytes, of which `prefix` holds the first ones.
 * Protobuf writers put fields in number order, so field 1 is usually within the first bytes and
 * the proxy needs no more of a large message than that; other fields before it are skipped.
 */
export function readField1(prefix: Uint8Array, messageLength: number): Field1 {
  const bytes = prefix.length > messageLength ? prefix.subarray(0, messageLength) : prefix;
  const complete = bytes.length === messageLength;
  let offset = 0;
  while (offset < messageLength) {
    const tag = readVarint(bytes, offset);
    if (tag === 'too-long') return { kind: 'invalid', reason: `a field tag at byte ${offset} is longer than 10 bytes` };
    if (tag === 'cut') return complete ? truncated(offset) : { kind: 'need-more' };
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 0) return { kind: 'invalid', reason: `field number 0 at byte ${offset}` };
    let next: number;
    if (wire === WIRE_VARINT) {
      const value = readVarint(bytes, tag.next);
      if (value === 'too-long')
        return { kind: 'invalid', reason: `a varint at byte ${tag.next} is longer than 10 bytes` };
      if (value === 'cut') return complete ? truncated(tag.next) : { kind: 'need-more' };
      next = value.next;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      next = tag.next + (wire === WIRE_I64 ? 8 : 4);
    } else if (wire === WIRE_LEN) {
      const length = readVarint(bytes, tag.next);
      if (length === 'too-long')
        return { kind: 'invalid', reason: `a length at byte ${tag.next} is longer than 10 bytes` };
      if (length === 'cut') return complete ? truncated(tag.next) : { kind: 'need-more' };
      next = length.next + length.value;
      if (field === 1) {
        if (next > messageLength) return truncated(length.next);
        if (next > bytes.length) return { kind: 'need-more' };
        return {
          kind: 'found',
          value: new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(length.next, next)),
        };
      }
    } else {
      return {
        kind: 'invalid',
        reason: `wire type ${wire} of field ${field} at byte ${offset} is not one protobuf has`,
      };
    }
    if (field === 1) return { kind: 'invalid', reason: `field 1 has wire type ${wire}, not a string` };
    if (next > messageLength) return truncated(offset);
    offset = next;
  }
  return { kind: 'absent' };
}

/**
 * The chosen length-delimited top-level fields of a call's first message, read as its bytes stream
 * by (the 5-byte header first) and keeping only those fields' bytes: an ExecutePlan's plan can be
 * large, and comes before its operation_id. A compressed, malformed or oversized one is not read.
 */
export class StreamedMessageFields {
  private readonly fields = new Map<number, Buffer>();
  private readonly header: number[] = [];
  /** Bytes of the message not read yet; -1 while its header is incomplete. */
  private left = -1;
  private readonly varint: number[] = [];
  private expect: 'tag' | 'value' | 'length' = 'tag';
  private field = 0;
  private skip = 0;
  private kept: Buffer[] | undefined;
  private keepLeft = 0;
  /** Why the message is not read (compressed, not protobuf); undefined while it reads well. */
  unreadable: string | undefined;

  constructor(
    private readonly wanted: ReadonlySet<number>,
    private readonly maxFieldBytes = 64 * 1024,
  ) {}

  /** True once the message was read whole, or found unreadable: later bytes are not looked at. */
  get ended(): boolean {
    return this.left === 0 || this.unreadable !== undefined;
  }

  /** The wanted fields the message has (raw bytes), once it was read whole and well. */
  get complete(): ReadonlyMap<number, Buffer> | undefined {
    return this.left === 0 && this.unreadable === undefined ? this.fields : undefined;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.left < 0) {
        this.header.push(chunk[at++]!);
        if (this.header.length === FRAME_HEADER_BYTES) {
          const header = readFrameHeader(Uint8Array.from(this.header))!;
          if (header.compressed) this.unreadable = 'the message is compressed';
          this.left = header.length;
        }
      } else if (this.skip > 0 || this.kept !== undefined) {
        const take = Math.min(chunk.length - at, this.left, this.kept ? this.keepLeft : this.skip);
        if (this.kept) {
          this.kept.push(Buffer.from(chunk.subarray(at, at + take)));
          this.keepLeft -= take;
          if (this.keepLeft === 0) this.keep(Buffer.concat(this.kept));
        } else {
          this.skip -= take;
        }
        at += take;
        this.left -= take;
      } else {
        const byte = chunk[at++]!;
        this.left -= 1;
        this.varint.push(byte);
        if ((byte & 0x80) === 0) this.onVarint(this.varint.splice(0));
        else if (this.varint.length === 10) this.unreadable = 'a varint is longer than 10 bytes';
      }
    }
    if (this.left === 0 && (this.varint.length > 0 || this.skip > 0 || this.kept || this.expect !== 'tag')) {
      this.unreadable = 'a field runs past the end of the message';
    }
  }

  private onVarint(bytes: number[]): void {
    const value = bytes.reduce((sum, byte, i) => sum + (byte & 0x7f) * 128 ** i, 0);
    if (this.expect === 'value') {
      this.expect = 'tag';
    } else if (this.expect === 'length') {
      this.expect = 'tag';
      if (!this.wanted.has(this.field)) this.skip = value;
      else if (value > this.maxFieldBytes)
        this.unreadable = `field ${this.field} is longer than ${this.maxFieldBytes} bytes`;
      else if (value === 0) this.fields.set(this.field, Buffer.alloc(0));
      else [this.kept, this.keepLeft] = [[], value];
    } else {
      this.field = Math.floor(value / 8);
      const wire = value % 8;
      if (wire === WIRE_VARINT) this.expect = 'value';
      else if (wire === WIRE_LEN) this.expect = 'length';
      else if (wire === WIRE_I64 || wire === WIRE_I32) this.skip = wire === WIRE_I64 ? 8 : 4;
      else this.unreadable = `wire type ${wire} of field ${this.field} is not one protobuf has`;
    }
  }

  private keep(bytes: Buffer): void {
    this.fields.set(this.field, bytes);
    this.kept = undefined;
  }
}

/** A protobuf message of the given fields, in order: strings and raw messages (length-delimited) or varints. */
export function encodeMessage(fields: [number, Buffer | string | number][]): Buffer {
  const parts: Buffer[] = [];
  for (const [number, value] of fields) {
    if (typeof value === 'number') {
      parts.push(encodeVarint(number * 8 + WIRE_VARINT), encodeVarint(value));
    } else {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      parts.push(encodeVarint(number * 8 + WIRE_LEN), encodeVarint(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** `message` as one uncompressed length-prefixed gRPC message. */
export function encodeFrame(message: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** A protobuf varint (base-128, little end first) of a value up to 2^53. */
export function encodeVarint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

function truncated(offset: number): Field1 {
  return { kind: 'invalid', reason: `the field at byte ${offset} runs past the end of the message` };
}

/** grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself (gRPC over HTTP/2). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The gRPC status codes the proxy answers with. */
export const GrpcStatus = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];
