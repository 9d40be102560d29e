/**
 * gRPC on the wire for the proxy's tests: length-prefixed messages that carry a Spark Connect
 * session id as field 1, a raw HTTP/2 client call, a fake Spark Connect server (h2c), and the proxy
 * in front of a test's own fake.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, encodeVarint as varint } from '../../runtime/adapters/connect/grpc-frame';
import { SparkConnectProxy, type SparkConnectProxyOptions } from '../../runtime/adapters/connect/grpc-proxy';
import { makeTestCertificates } from './test-ca';

export const SERVICE = '/spark.connect.SparkConnectService';

/** A gRPC message (uncompressed) whose protobuf has `sessionId` as field 1 and `payload` as field 2. */
export function sparkConnectMessage(sessionId: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const field = (number: number, bytes: Buffer) => Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
  const body = Buffer.concat([field(1, Buffer.from(sessionId)), field(2, payload)]);
  return frame(body);
}

/** A 5-byte gRPC header (not compressed) before `body`. */
export const frame = encodeFrame;

export interface CallResult {
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: IncomingHttpHeaders;
  /** grpc-status from the trailers, or from the headers of a Trailers-Only answer. */
  status: number | undefined;
  message: string;
  rstCode: number | undefined;
}

/** One gRPC call on `session`: sends `messages` and ends, then reads everything until the stream closes. */
export async function grpcCall(
  session: ClientHttp2Session,
  method: string,
  messages: Buffer[],
  metadata: Record<string, string> = {},
): Promise<CallResult> {
  const stream = session.request({
    ':method': 'POST',
    ':path': `${SERVICE}/${method}`,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...metadata,
  });
  let headers: IncomingHttpHeaders = {};
  let trailers: IncomingHttpHeaders = {};
  const chunks: Buffer[] = [];
  stream.on('response', (received) => (headers = received));
  stream.on('trailers', (received) => (trailers = received));
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', () => undefined);
  for (const message of messages) stream.write(message);
  stream.end();
  await once(stream, 'close');
  const statusOf = trailers['grpc-status'] ?? headers['grpc-status'];
  const message = trailers['grpc-message'] ?? headers['grpc-message'];
  return {
    headers,
    body: Buffer.concat(chunks),
    trailers,
    status: statusOf === undefined ? undefined : Number(statusOf),
    message: message === undefined ? '' : decodeURIComponent(String(message)),
    rstCode: stream.rstCode,
  };
}

export interface UpstreamCall {
  path: string;
  headers: IncomingHttpHeaders;
  stream: ServerHttp2Stream;
  /** The RST_STREAM code the stream closed with (0: closed normally). */
  closed: Promise<number>;
  /** Response bytes the server's stream accepted so far (ExecutePlan). */
  written: () => number;
}

/**
 * A plaintext HTTP/2 server in place of a session's Spark Connect server. By method:
 * Config echoes the request's bytes back, with a custom trailer; AnalyzePlan answers
 * Trailers-Only with INVALID_ARGUMENT; ExecutePlan streams responses as fast as flow control lets
 * it (up to `executeBytes`, then OK); Interrupt sends one message, then resets the stream (CANCEL).
 */
export async function startFakeSparkConnect(executeBytes = Number.MAX_SAFE_INTEGER): Promise<{
  port: number;
  calls: UpstreamCall[];
  close: () => Promise<void>;
}> {
  const calls: UpstreamCall[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    let written = 0;
    const closed = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode)));
    calls.push({ path, headers, stream, closed, written: () => written });
    stream.on('error', () => undefined);
    const method = path.slice(SERVICE.length + 1);
    const ok = { ':status': 200, 'content-type': 'application/grpc' };
    if (method === 'Config') {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        stream.respond(ok, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-trailer': 'kept' }));
        stream.end(Buffer.concat(chunks));
      });
    } else if (method === 'AnalyzePlan') {
      stream.resume();
      stream.respond({ ...ok, 'grpc-status': '3', 'grpc-message': 'bad plan %25 here' }, { endStream: true });
    } else if (method === 'ExecutePlan') {
      stream.resume();
      stream.respond(ok, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const chunk = frame(Buffer.alloc(64 * 1024 - 5, 7));
      const pump = () => {
        while (!stream.destroyed && written < executeBytes) {
          written += chunk.length;
          if (!stream.write(chunk)) return void stream.once('drain', pump);
        }
        if (!stream.destroyed) stream.end();
      };
      pump();
    } else if (method === 'Interrupt') {
      stream.resume();
      stream.respond(ok);
      stream.write(frame(Buffer.from('one')), () => stream.close(http2.constants.NGHTTP2_CANCEL));
    } else {
      stream.respond({ ...ok, 'grpc-status': '12', 'grpc-message': 'not in the fake' }, { endStream: true });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `server` (a test's own fake Spark Connect server, h2c) listening on a free port, the sc:// proxy
 * (test certificates) routing every session to it, and a TLS client of the proxy; `close` ends all.
 */
export async function proxyInFrontOf(
  server: http2.Http2Server,
  options: Pick<SparkConnectProxyOptions, 'abandonedExecutionGraceMs'> = {},
): Promise<{ proxy: SparkConnectProxy; client: ClientHttp2Session; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'sparkplane-connect-fake-'));
  const certificates = makeTestCertificates(dir);
  const proxy = await SparkConnectProxy.start({
    ...options,
    port: 0,
    tls: certificates,
    resolver: { resolve: async () => ({ host: '127.0.0.1', port, appId: 'a' }), touch: () => undefined },
  });
  const client = http2.connect(`https://127.0.0.1:${proxy.port}`, { ca: certificates.ca });
  return {
    proxy,
    client,
    close: async () => {
      client.destroy();
      await proxy.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
