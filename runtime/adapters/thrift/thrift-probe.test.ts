import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage, MESSAGE_TYPE, readMessage } from './binary-protocol';
import { thriftServerAnswers } from './thrift-probe';

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A server that reads one call and answers it with `reply(name)`, in two writes. */
function answering(reply: (name: string) => Buffer): Server {
  return createServer((socket) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const call = readMessage(received);
      if (!call) return;
      const bytes = reply(call.name);
      socket.write(bytes.subarray(0, 5));
      setTimeout(() => socket.write(bytes.subarray(5)), 20);
    });
  });
}

describe('thriftServerAnswers', () => {
  it('is true once a whole OpenSession reply came back, even in pieces', async () => {
    const names: string[] = [];
    const server = answering((name) => {
      names.push(name);
      return encodeMessage(name, MESSAGE_TYPE.REPLY, 1, Buffer.from([12, 0, 0, 0, 0]));
    });
    expect(await thriftServerAnswers('127.0.0.1', await listen(server))).toBe(true);
    expect(names).toEqual(['OpenSession']);
  });

  it('is false for an exception, a port that closes, a port that speaks something else, and a closed port', async () => {
    const exception = answering((name) => encodeMessage(name, MESSAGE_TYPE.EXCEPTION, 1, Buffer.from([0])));
    expect(await thriftServerAnswers('127.0.0.1', await listen(exception))).toBe(false);
    const closing = createServer((socket) => socket.destroy());
    expect(await thriftServerAnswers('127.0.0.1', await listen(closing))).toBe(false);
    const http = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(await thriftServerAnswers('127.0.0.1', await listen(http))).toBe(false);
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    expect(await thriftServerAnswers('127.0.0.1', port, 500)).toBe(false);
  });
});
