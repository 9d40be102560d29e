/**
 * Just enough of Thrift's binary protocol (TBinaryProtocol, what HiveServer2 speaks with NOSASL) to
 * relay it over HTTP: where one message ends in a byte stream (the protocol has no length prefix, so
 * the message is walked field by field), a binary field found by its path of field ids, and the one
 * call the readiness probe sends. Nothing is decoded beyond that: the relays pass the bytes unchanged.
 */

/** Field types of the binary protocol. */
const T = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

const FIXED_WIDTH: Partial<Record<number, number>> = {
  [T.BOOL]: 1,
  [T.BYTE]: 1,
  [T.DOUBLE]: 8,
  [T.I16]: 2,
  [T.I32]: 4,
  [T.I64]: 8,
  [T.UUID]: 16,
};

/** TBinaryProtocol's strict message header: version 1 in the high half, the message type in the low byte. */
const VERSION_1 = 0x80010000;
const VERSION_MASK = 0xffff0000;

/** Larger strings and containers than this are taken as garbage, not waited for. */
const MAX_LENGTH = 256 * 1024 * 1024;
/** Deeper nesting than HiveServer2's types ever have is taken as garbage. */
const MAX_DEPTH = 64;

export const MESSAGE_TYPE = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

export class ThriftFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftFormatError';
  }
}

/** Thrown by the cursor when the bytes end before the message does; caught at the top. */
class Incomplete extends Error {}

class Cursor {
  constructor(
    readonly buf: Buffer,
    public at: number,
  ) {}

  need(bytes: number): void {
    if (this.at + bytes > this.buf.length) throw new Incomplete();
  }

  i32(): number {
    this.need(4);
    const value = this.buf.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  byte(): number {
    this.need(1);
    return this.buf.readUInt8(this.at++);
  }

  length(what: string): number {
    const length = this.i32();
    if (length < 0 || length > MAX_LENGTH) throw new ThriftFormatError(`${what} length ${length} is out of range`);
    return length;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  skip(type: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new ThriftFormatError(`nested deeper than ${MAX_DEPTH} levels`);
    const width = FIXED_WIDTH[type];
    if (width !== undefined) {
      this.need(width);
      this.at += width;
      return;
    }
    switch (type) {
      case T.STRING:
        this.bytes(this.length('string'));
        return;
      case T.STRUCT:
        for (let field = this.byte(); field !== T.STOP; field = this.byte()) {
          this.need(2);
          this.at += 2;
          this.skip(field, depth + 1);
        }
        return;
      case T.MAP: {
        const key = this.byte();
        const value = this.byte();
        const size = this.length('map');
        for (let i = 0; i < size; i++) {
          this.skip(key, depth + 1);
          this.skip(value, depth + 1);
        }
        return;
      }
      case T.SET:
      case T.LIST: {
        const element = this.byte();
        const size = this.length('list');
        for (let i = 0; i < size; i++) this.skip(element, depth + 1);
        return;
      }
      default:
        throw new ThriftFormatError(`unknown field type ${type}`);
    }
  }
}

export interface MessageHeader {
  name: string;
  type: number;
  seqid: number;
  /** Where the message's struct starts. */
  bodyOffset: number;
}

function readHeader(cursor: Cursor): MessageHeader {
  const first = cursor.i32();
  if (first < 0) {
    // strict: version and type, then the name
    if ((first & VERSION_MASK) >>> 0 !== VERSION_1) {
      throw new ThriftFormatError(`bad message version 0x${(first >>> 0).toString(16)}: not TBinaryProtocol`);
    }
    const name = cursor.bytes(cursor.length('name')).toString('utf8');
    return { name, type: first & 0xff, seqid: cursor.i32(), bodyOffset: cursor.at };
  }
  // old, non-strict: the name's length first, then the name and the type
  if (first > MAX_LENGTH) throw new ThriftFormatError(`message name length ${first} is out of range`);
  const name = cursor.bytes(first).toString('utf8');
  const type = cursor.byte();
  return { name, type, seqid: cursor.i32(), bodyOffset: cursor.at };
}

/** The first message's header and length in bytes, or undefined while its bytes have not all come. */
export function readMessage(buf: Buffer): (MessageHeader & { length: number }) | undefined {
  const cursor = new Cursor(buf, 0);
  try {
    const header = readHeader(cursor);
    cursor.skip(T.STRUCT, 0);
    return { ...header, length: cursor.at };
  } catch (error) {
    if (error instanceof Incomplete) return undefined;
    throw error;
  }
}

/**
 * The binary (string) field reached from the message's struct by following field ids through nested
 * structs, e.g. [0, 3, 1, 1] for OpenSession's reply: success, sessionHandle, sessionId, guid.
 * Undefined when a field on the way is absent or of another type. The message must be complete.
 */
export function binaryAt(message: Buffer, path: readonly number[]): Buffer | undefined {
  const cursor = new Cursor(message, 0);
  try {
    cursor.at = readHeader(cursor).bodyOffset;
    for (const [depth, id] of path.entries()) {
      const last = depth === path.length - 1;
      let found = false;
      for (let type = cursor.byte(); type !== T.STOP; type = cursor.byte()) {
        cursor.need(2);
        const fieldId = cursor.buf.readInt16BE(cursor.at);
        cursor.at += 2;
        if (fieldId === id && type === (last ? T.STRING : T.STRUCT)) {
          if (last) return Buffer.from(cursor.bytes(cursor.length('string')));
          found = true;
          break;
        }
        cursor.skip(type, depth + 1);
      }
      if (!found) return undefined;
    }
    return undefined;
  } catch (error) {
    if (error instanceof Incomplete) return undefined;
    throw error;
  }
}

/** A strict-header message of `type` whose struct is `body` (its fields and the STOP). */
export function encodeMessage(name: string, type: number, seqid: number, body: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(12 + nameBytes.length);
  header.writeInt32BE(VERSION_1 | type | 0, 0);
  header.writeInt32BE(nameBytes.length, 4);
  nameBytes.copy(header, 8);
  header.writeInt32BE(seqid, 8 + nameBytes.length);
  return Buffer.concat([header, body]);
}

/** HIVE_CLI_SERVICE_PROTOCOL_V8 (Hive 2.x clients, pyhive): the server answers with the lower of its own and this. */
const CLIENT_PROTOCOL_V8 = 7;

/** OpenSession(TOpenSessionReq{client_protocol}): what the readiness probe sends, as pyhive would. */
export function openSessionCall(seqid = 1): Buffer {
  // args{1: req{1: i32 client_protocol}}
  const body = Buffer.from([T.STRUCT, 0, 1, T.I32, 0, 1, 0, 0, 0, CLIENT_PROTOCOL_V8, T.STOP, T.STOP]);
  return encodeMessage('OpenSession', MESSAGE_TYPE.CALL, seqid, body);
}

/** OpenSession's reply: result{0: success TOpenSessionResp{3: sessionHandle{1: sessionId{1: guid}}}}. */
export const OPEN_SESSION_REPLY_GUID = [0, 3, 1, 1] as const;
/** CloseSession's call: args{1: req TCloseSessionReq{1: sessionHandle{1: sessionId{1: guid}}}}. */
export const CLOSE_SESSION_CALL_GUID = [1, 1, 1, 1] as const;
