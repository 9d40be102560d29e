import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sparkConnectAnswers } from './connect-probe';

let closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers) close();
  closers = [];
});

function listen<S extends Server | Http2Server>(server: S): Promise<number> {
  closers.push(() => server.close());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('sparkConnectAnswers', () => {
  it('is true when a gRPC status comes back, an error status included', async () => {
    const paths: string[] = [];
    const server = createHttp2Server();
    server.on('stream', (stream, headers) => {
      paths.push(String(headers[':path']));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true });
    });
    expect(await sparkConnectAnswers('127.0.0.1', await listen(server))).toBe(true);
    expect(paths).toEqual(['/spark.connect.SparkConnectService/Config']);
  });

  it('is false for an HTTP/2 server that is not gRPC, a TCP port that speaks nothing, and a closed port', async () => {
    const http2 = createHttp2Server();
    http2.on('stream', (stream) => stream.respond({ ':status': 404 }, { endStream: true }));
    expect(await sparkConnectAnswers('127.0.0.1', await listen(http2))).toBe(false);
    const silent = createServer((socket) => socket.destroy());
    expect(await sparkConnectAnswers('127.0.0.1', await listen(silent), 500)).toBe(false);
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    expect(await sparkConnectAnswers('127.0.0.1', port)).toBe(false);
  });
});
