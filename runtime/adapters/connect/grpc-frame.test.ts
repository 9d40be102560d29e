import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeGrpcMessage,
  encodeMessage,
  encodeVarint,
  readField1,
  readFrameHeader,
  StreamedMessageFields,
} from './grpc-frame';

// the messages the readers are fed, encoded as the wire-format spec says (encodeVarint's bytes are
// checked against the spec's example below)
const varint = (value: number): number[] => [...encodeVarint(value)];

type Field =
  | { number: number; wire: 'varint'; value: number }
  | { number: number; wire: 'i64' | 'i32' }
  | { number: number; wire: 'len'; bytes: number[] };

function encode(fields: Field[]): Buffer {
  const out: number[] = [];
  for (const field of fields) {
    const wire = { varint: 0, i64: 1, len: 2, i32: 5 }[field.wire];
    out.push(...varint(field.number * 8 + wire));
    if (field.wire === 'varint') out.push(...varint(field.value));
    else if (field.wire === 'len') out.push(...varint(field.bytes.length), ...field.bytes);
    else out.push(...(field.wire === 'i64' ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2, 3, 4]));
  }
  return Buffer.from(out);
}

/** Any field of any wire type, numbered from `min` to `max`. */
function fieldNumbered(min: number, max: number): fc.Arbitrary<Field> {
  const number = fc.integer({ min, max });
  return fc.oneof(
    fc.record({ number, wire: fc.constant('varint' as const), value: fc.nat() }),
    fc.record({ number, wire: fc.constantFrom('i64' as const, 'i32' as const) }),
    fc.record({
      number,
      wire: fc.constant('len' as const),
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }),
    }),
  );
}

const sessionField = (id: string): Field => ({ number: 1, wire: 'len', bytes: [...Buffer.from(id, 'utf8')] });

describe('the gRPC frame header', () => {
  it('reads the compressed flag and the big-endian length, and waits for 5 bytes', () => {
    expect(readFrameHeader(Buffer.from([0, 0, 0, 1, 2]))).toEqual({ compressed: false, length: 258 });
    expect(readFrameHeader(Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 9]))).toEqual({
      compressed: true,
      length: 4294967295,
    });
    expect(readFrameHeader(Buffer.from([0, 0, 0, 1]))).toBeUndefined();
  });
});

describe('field 1 (session_id) of a Spark Connect request', () => {
  const id = '7f1c0b55-6d2e-4a8e-9d7a-0f4f3f0d9b21';

  it('is read from a message that starts with it, as protobuf writers order fields', () => {
    const message = encode([sessionField(id), { number: 2, wire: 'len', bytes: [1, 2, 3] }]);
    expect(readField1(message, message.length)).toEqual({ kind: 'found', value: id });
  });

  it('is found after other fields of every wire type, which are skipped', () => {
    const message = encode([
      { number: 8, wire: 'len', bytes: [...Buffer.from('observed')] },
      { number: 3, wire: 'varint', value: 2 ** 40 },
      { number: 4, wire: 'i64' },
      { number: 5, wire: 'i32' },
      { number: 300, wire: 'len', bytes: [] },
      sessionField(id),
    ]);
    expect(readField1(message, message.length)).toEqual({ kind: 'found', value: id });
  });

  it('needs only the bytes up to the end of field 1, whatever the rest of the message', () => {
    const message = encode([sessionField(id), { number: 3, wire: 'len', bytes: new Array(10_000).fill(7) }]);
    const upToField1 = 2 + id.length;
    expect(readField1(message.subarray(0, upToField1 - 1), message.length)).toEqual({ kind: 'need-more' });
    expect(readField1(message.subarray(0, upToField1), message.length)).toEqual({ kind: 'found', value: id });
  });

  it('says so when a whole message has no field 1, and when it is not protobuf', () => {
    const without = encode([{ number: 2, wire: 'varint', value: 5 }]);
    expect(readField1(without, without.length)).toEqual({ kind: 'absent' });
    expect(readField1(Buffer.alloc(0), 0)).toEqual({ kind: 'absent' });
    // a length that runs past the end of the message
    expect(readField1(Buffer.from([0x0a, 0x7f, 0x41]), 3)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('past the end'),
    });
    // wire type 7 does not exist
    expect(readField1(Buffer.from([0x0f, 0x00]), 2)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('wire type 7'),
    });
    // field 1 as a varint is not a session id
    expect(readField1(Buffer.from([0x08, 0x01]), 2)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('not a string'),
    });
    expect(readField1(Buffer.from([0x00, 0x01]), 2)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('field number 0'),
    });
    expect(readField1(Buffer.from(new Array(11).fill(0xff)), 11)).toMatchObject({ kind: 'invalid' });
  });

  it('on any message and any prefix: need-more before field 1 is complete, then the right value', () => {
    const other = fieldNumbered(2, 5000);
    fc.assert(
      fc.property(
        fc.array(other, { maxLength: 6 }),
        fc.array(other, { maxLength: 6 }),
        fc.string(),
        (before, after, value) => {
          const head = encode([...before, sessionField(value)]);
          const message = Buffer.concat([head, encode(after)]);
          for (let cut = 0; cut <= message.length; cut += 1) {
            const result = readField1(message.subarray(0, cut), message.length);
            if (cut < head.length) expect(result).toEqual({ kind: 'need-more' });
            else expect(result).toEqual({ kind: 'found', value });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the short fields of a call's first message, read as it streams by", () => {
  const anyField = fieldNumbered(1, 20);

  it('in chunks of any sizes: the last of each wanted length-delimited field, only once the message is whole', () => {
    fc.assert(
      fc.property(
        fc.array(anyField, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        (fields, sizes) => {
          const wanted = new Set([1, 3, 6]);
          const expected = new Map<number, Buffer>();
          for (const field of fields) {
            if (field.wire === 'len' && wanted.has(field.number)) expected.set(field.number, Buffer.from(field.bytes));
          }
          const bytes = encodeFrame(encode(fields));
          const reader = new StreamedMessageFields(wanted);
          for (let at = 0, i = 0; at < bytes.length; i += 1) {
            const size = sizes[i % sizes.length]!;
            expect(reader.complete).toBeUndefined();
            reader.push(bytes.subarray(at, at + size));
            at += size;
          }
          expect(reader.unreadable).toBeUndefined();
          expect(reader.complete).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('skips a large field without keeping it, and ignores bytes after the message', () => {
    const plan = Buffer.alloc(3 * 1024 * 1024, 7);
    const message = encodeMessage([
      [1, 'session-1'],
      [3, plan],
      [6, 'operation-1'],
    ]);
    const reader = new StreamedMessageFields(new Set([1, 6]), 64);
    reader.push(Buffer.concat([encodeFrame(message), encodeFrame(encodeMessage([[6, 'a later message']]))]));
    expect(reader.complete).toEqual(
      new Map([
        [1, Buffer.from('session-1')],
        [6, Buffer.from('operation-1')],
      ]),
    );
  });

  it('says why it cannot read a compressed, malformed or oversized message, or one cut short', () => {
    const unreadable = (bytes: Buffer, maxFieldBytes?: number) => {
      const reader = new StreamedMessageFields(new Set([1]), maxFieldBytes);
      reader.push(bytes);
      expect(reader.ended).toBe(true);
      expect(reader.complete).toBeUndefined();
      return reader.unreadable;
    };
    const compressed = encodeFrame(encodeMessage([[1, 'x']]));
    compressed[0] = 1;
    expect(unreadable(compressed)).toBe('the message is compressed');
    expect(unreadable(encodeFrame(Buffer.from([0x0b, 0x01])))).toMatch(/wire type 3 of field 1/);
    expect(unreadable(encodeFrame(encodeMessage([[1, 'too long']])), 4)).toBe('field 1 is longer than 4 bytes');
    // a length that runs past the end of the message
    expect(unreadable(encodeFrame(Buffer.from([0x0a, 0x05, 0x61])))).toBe('a field runs past the end of the message');
    expect(unreadable(encodeFrame(Buffer.from(new Array(11).fill(0xff))))).toBe('a varint is longer than 10 bytes');
  });

  it('writes varints and length-delimited fields as protobuf reads them', () => {
    const message = encodeMessage([
      [1, 'session-é'],
      [2, encodeMessage([[1, 'user']])],
      [4, 300],
    ]);
    expect(readField1(message, message.length)).toEqual({ kind: 'found', value: 'session-é' });
    expect([...message.subarray(-3)]).toEqual([0x20, 0xac, 0x02]);
    expect(readFrameHeader(encodeFrame(message))).toEqual({ compressed: false, length: message.length });
  });
});

describe('grpc-message', () => {
  it('percent-encodes what is not printable ASCII, and the percent sign', () => {
    expect(encodeGrpcMessage('token for session 1 is 100% wrong')).toBe('token for session 1 is 100%25 wrong');
    expect(encodeGrpcMessage('été\n')).toBe('%C3%A9t%C3%A9%0A');
    expect(decodeURIComponent(encodeGrpcMessage('a % é'))).toBe('a % é');
  });
});
