import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryAt,
  CLOSE_SESSION_CALL_GUID,
  encodeMessage,
  MESSAGE_TYPE,
  OPEN_SESSION_REPLY_GUID,
  openSessionCall,
  readMessage,
  ThriftFormatError,
} from './binary-protocol';

/** A value of the binary protocol, encoded by hand (as TBinaryProtocol writes it) for the tests. */
type Value =
  | { t: 'i32'; v: number }
  | { t: 'i64'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'string'; v: Buffer }
  | { t: 'struct'; fields: { id: number; value: Value }[] }
  | { t: 'list'; element: 'i32' | 'string'; items: Value[] }
  | { t: 'map'; entries: [Value, Value][] };

const TYPE = { i32: 8, i64: 10, bool: 2, string: 11, struct: 12, list: 15, map: 13 } as const;

function encode(value: Value): Buffer {
  switch (value.t) {
    case 'i32': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value.v);
      return b;
    }
    case 'i64': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(value.v);
      return b;
    }
    case 'bool':
      return Buffer.from([value.v ? 1 : 0]);
    case 'string': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value.v.length);
      return Buffer.concat([b, value.v]);
    }
    case 'struct':
      return Buffer.concat([
        ...value.fields.map(({ id, value: field }) => {
          const head = Buffer.alloc(3);
          head.writeUInt8(TYPE[field.t], 0);
          head.writeInt16BE(id, 1);
          return Buffer.concat([head, encode(field)]);
        }),
        Buffer.from([0]),
      ]);
    case 'list': {
      const head = Buffer.alloc(5);
      head.writeUInt8(TYPE[value.element], 0);
      head.writeInt32BE(value.items.length, 1);
      return Buffer.concat([head, ...value.items.map(encode)]);
    }
    case 'map': {
      const head = Buffer.alloc(6);
      head.writeUInt8(TYPE.i32, 0);
      head.writeUInt8(TYPE.string, 1);
      head.writeInt32BE(value.entries.length, 2);
      return Buffer.concat([head, ...value.entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
    }
  }
}

const str = (text: string): Value => ({ t: 'string', v: Buffer.from(text) });
const struct = (...fields: [number, Value][]): Value => ({
  t: 'struct',
  fields: fields.map(([id, value]) => ({ id, value })),
});

const i32 = fc.integer().map((v): Value => ({ t: 'i32', v }));
const string = fc.uint8Array({ maxLength: 40 }).map((v): Value => ({ t: 'string', v: Buffer.from(v) }));
const { value: valueArb } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    i32,
    string,
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v): Value => ({ t: 'i64', v })),
    fc.boolean().map((v): Value => ({ t: 'bool', v })),
    fc
      .array(fc.record({ id: fc.integer({ min: -5, max: 30 }), value: tie('value') }), { maxLength: 5 })
      .map((fields): Value => ({ t: 'struct', fields })),
    fc.array(i32, { maxLength: 5 }).map((items): Value => ({ t: 'list', element: 'i32', items })),
    fc.array(fc.tuple(i32, string), { maxLength: 4 }).map((entries): Value => ({ t: 'map', entries })),
  ),
}));
const structArb = fc
  .array(fc.record({ id: fc.integer({ min: 0, max: 30 }), value: valueArb }), { maxLength: 6 })
  .map((fields): Value => ({ t: 'struct', fields }));

describe('readMessage', () => {
  it('finds where any message ends, and waits on every shorter prefix', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer(), structArb, (name, seqid, body) => {
        const message = encodeMessage(name, MESSAGE_TYPE.REPLY, seqid, encode(body));
        const next = openSessionCall();
        const read = readMessage(Buffer.concat([message, next]));
        expect(read).toMatchObject({ name, type: MESSAGE_TYPE.REPLY, seqid, length: message.length });
        for (let cut = 0; cut < message.length; cut++) expect(readMessage(message.subarray(0, cut))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('reads the old non-strict header too', () => {
    const name = Buffer.from('GetInfo');
    const head = Buffer.alloc(4);
    head.writeInt32BE(name.length);
    const seqid = Buffer.alloc(4);
    seqid.writeInt32BE(9);
    const message = Buffer.concat([head, name, Buffer.from([MESSAGE_TYPE.CALL]), seqid, Buffer.from([0])]);
    expect(readMessage(message)).toEqual({
      name: 'GetInfo',
      type: MESSAGE_TYPE.CALL,
      seqid: 9,
      bodyOffset: 16,
      length: 17,
    });
  });

  it('refuses what is not the binary protocol rather than waiting for it', () => {
    // an HTTP request line sent to the Thrift port, and a strict header of another version
    expect(() => readMessage(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(ThriftFormatError);
    expect(() => readMessage(Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0]))).toThrow(/bad message version 0x80020001/);
    const unknownType = encodeMessage('X', MESSAGE_TYPE.CALL, 1, Buffer.from([0x63, 0, 1]));
    expect(() => readMessage(unknownType)).toThrow(/unknown field type 99/);
  });
});

describe('binaryAt', () => {
  const guid = Buffer.from('0123456789abcdef');
  const handle = struct([1, struct([1, { t: 'string', v: guid }], [2, str('secret')])]);

  it("reads OpenSession's session guid from its reply, past the fields before it", () => {
    const status = struct([1, { t: 'i32', v: 0 }], [5, str('all good')]);
    const resp = struct(
      [1, status],
      [2, { t: 'i32', v: 9 }],
      [4, { t: 'map', entries: [[{ t: 'i32', v: 1 }, str('x')]] }],
      [3, handle],
    );
    const reply = encodeMessage('OpenSession', MESSAGE_TYPE.REPLY, 1, encode(struct([0, resp])));
    expect(binaryAt(reply, OPEN_SESSION_REPLY_GUID)).toEqual(guid);
  });

  it("reads CloseSession's session guid from its call, and nothing from another shape", () => {
    const call = encodeMessage('CloseSession', MESSAGE_TYPE.CALL, 4, encode(struct([1, struct([1, handle])])));
    expect(binaryAt(call, CLOSE_SESSION_CALL_GUID)).toEqual(guid);
    // an exception reply has no success field; a field of another type at the id is no match
    const failed = encodeMessage('OpenSession', MESSAGE_TYPE.REPLY, 1, encode(struct([1, str('oops')])));
    expect(binaryAt(failed, OPEN_SESSION_REPLY_GUID)).toBeUndefined();
    const wrongType = encodeMessage('OpenSession', MESSAGE_TYPE.REPLY, 1, encode(struct([0, str('not a struct')])));
    expect(binaryAt(wrongType, OPEN_SESSION_REPLY_GUID)).toBeUndefined();
  });
});

describe('openSessionCall', () => {
  it('is one complete OpenSession call asking for protocol V8', () => {
    const call = openSessionCall(3);
    expect(readMessage(call)).toMatchObject({
      name: 'OpenSession',
      type: MESSAGE_TYPE.CALL,
      seqid: 3,
      length: call.length,
    });
    expect(call.subarray(call.length - 12)).toEqual(Buffer.from([12, 0, 1, 8, 0, 1, 0, 0, 0, 7, 0, 0]));
  });
});
