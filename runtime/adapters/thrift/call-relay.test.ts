import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import { encodeMessage, MESSAGE_TYPE, openSessionCall, readMessage } from './binary-protocol';
import { callNameOf, ThriftCallRelay } from './call-relay';

const GUID = Buffer.from('fedcba9876543210');

/** handle{1: sessionId{1: guid}} as struct bytes (fields then STOP), nested under field `id`. */
function handleField(id: number): Buffer {
  const guidField = Buffer.concat([Buffer.from([11, 0, 1, 0, 0, 0, GUID.length]), GUID]);
  const sessionId = Buffer.concat([Buffer.from([12, 0, 1]), guidField, Buffer.from([0])]);
  return Buffer.concat([Buffer.from([12, 0, id]), sessionId, Buffer.from([0])]);
}

/** A HiveServer2 stand-in: answers each call with a reply of the same name (OpenSession's carries GUID), in two writes. */
class FakeThriftServer {
  readonly server: Server;
  readonly open = new Set<Socket>();
  readonly calls: string[] = [];
  connections = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.connections++;
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
      let received = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        const call = readMessage(received);
        if (!call) return;
        received = received.subarray(call.length);
        this.calls.push(call.name);
        if (call.name === 'Hang') {
          socket.destroy();
          return;
        }
        // result{0: success{3: sessionHandle}} for OpenSession, result{0: success{}} otherwise
        const success =
          call.name === 'OpenSession'
            ? Buffer.concat([Buffer.from([12, 0, 0]), handleField(3), Buffer.from([0, 0])])
            : Buffer.from([12, 0, 0, 0, 0]);
        const reply = encodeMessage(call.name, MESSAGE_TYPE.REPLY, call.seqid, success);
        socket.write(reply.subarray(0, 7));
        setTimeout(() => socket.write(reply.subarray(7)), 10);
      });
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)),
    );
  }
}

const call = (name: string, body = Buffer.from([0])) => encodeMessage(name, MESSAGE_TYPE.CALL, 2, body);
const closeSession = () =>
  call('CloseSession', Buffer.concat([Buffer.from([12, 0, 1]), handleField(1), Buffer.from([0, 0])]));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((wake) => setTimeout(wake, 5));
}

describe('ThriftCallRelay', () => {
  let fake: FakeThriftServer;
  let upstream: { host: string; port: number };
  let relay: ThriftCallRelay;

  beforeEach(async () => {
    fake = new FakeThriftServer();
    upstream = { host: '127.0.0.1', port: await fake.listen() };
    relay = new ThriftCallRelay();
  });
  afterEach(() => {
    relay.close();
    for (const socket of fake.open) socket.destroy();
    fake.server.close();
  });

  it("keeps the connection of an OpenSession open until that session's CloseSession; other calls take their own", async () => {
    const opened = await relay.call('sql-1', upstream, openSessionCall());
    expect(readMessage(opened)).toMatchObject({ name: 'OpenSession', type: MESSAGE_TYPE.REPLY, length: opened.length });
    expect(relay.openSessions).toBe(1);
    const executed = await relay.call('sql-1', upstream, call('ExecuteStatement'));
    expect(readMessage(executed)).toMatchObject({ name: 'ExecuteStatement', seqid: 2 });
    await until(() => fake.open.size === 1);
    expect(fake.connections).toBe(2);

    await relay.call('sql-1', upstream, closeSession());
    await until(() => fake.open.size === 0);
    expect(relay.openSessions).toBe(0);
    expect(fake.calls).toEqual(['OpenSession', 'ExecuteStatement', 'CloseSession']);
  });

  it('forgets a kept connection the server closed, and close() ends the others', async () => {
    await relay.call('sql-1', upstream, openSessionCall());
    await relay.call('sql-2', upstream, openSessionCall());
    expect(relay.openSessions).toBe(2);
    [...fake.open][0]!.destroy();
    await until(() => relay.openSessions === 1);
    relay.close();
    await until(() => fake.open.size === 0);
    expect(relay.openSessions).toBe(0);
  });

  it("refuses an OpenSession past the application's limit of open sessions (429), until one is closed", async () => {
    const small = new ThriftCallRelay(1);
    try {
      await small.call('sql-1', upstream, openSessionCall());
      await expect(small.call('sql-1', upstream, openSessionCall())).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^session sql-1 has 1 HiveServer2 sessions open/),
      });
      // another application has its own limit; other calls are not counted
      await small.call('sql-2', upstream, openSessionCall());
      await small.call('sql-1', upstream, call('ExecuteStatement'));
      await small.call('sql-1', upstream, closeSession());
      await until(() => small.openSessions === 1);
      await small.call('sql-1', upstream, openSessionCall());
      expect(small.openSessions).toBe(2);
    } finally {
      small.close();
    }
  });

  it('answers 503 when the server closes before its reply or cannot be reached', async () => {
    const hung = await relay.call('sql-1', upstream, call('Hang')).catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(DomainError);
    expect(hung).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: 'the Thrift Server of session sql-1 closed the connection before it answered (call Hang)',
    });
    fake.server.close();
    for (const socket of fake.open) socket.destroy();
    await expect(relay.call('sql-1', upstream, openSessionCall())).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/could not be reached: connect ECONNREFUSED/),
    });
  });
});

describe('callNameOf', () => {
  it('takes exactly one complete call', () => {
    expect(callNameOf(openSessionCall())).toBe('OpenSession');
  });

  it('refuses anything else with a 400 naming the body and what was expected', () => {
    const refusal = (body: Buffer) => {
      try {
        callNameOf(body);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('VALIDATION_FAILED');
        return (error as DomainError).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(openSessionCall().subarray(0, 10))).toBe(
      '(body): 10 bytes end before the message does: expected one Thrift call in the binary protocol (TBinaryProtocol), as THttpClient sends it',
    );
    expect(refusal(Buffer.concat([openSessionCall(), Buffer.from([1, 2])]))).toMatch(
      /^\(body\): 2 bytes follow the OpenSession call/,
    );
    expect(refusal(encodeMessage('X', MESSAGE_TYPE.REPLY, 1, Buffer.from([0])))).toMatch(
      /message type 2 is not a call/,
    );
    expect(refusal(Buffer.from('{"sql": "select 1"}'))).toMatch(/^\(body\): message name length \d+ is out of range/);
  });
});
