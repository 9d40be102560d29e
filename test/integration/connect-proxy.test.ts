/**
 * The sc:// proxy on the wire, against a fake Spark Connect server (h2c) and a raw HTTP/2 client
 * over TLS: forwarding unchanged, the refusals as gRPC statuses, a check on every call,
 * cancellation and flow control in both directions. test/integration/connect-spark.test.ts drives
 * it with the real PySpark client and a real Spark Connect server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http2, { type ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkConnectProxy } from '../../runtime/adapters/connect/grpc-proxy';
import type { ConnectResolution, ConnectSessionResolver } from '../../runtime/adapters/connect/session-resolver';
import { connectTlsOf } from '../../runtime/main/config';
import { frame, grpcCall, SERVICE, sparkConnectMessage, startFakeSparkConnect } from '../support/grpc-wire';
import { waitFor } from '../support/spark';
import { makeTestCertificates } from '../support/test-ca';

const SESSION = '3b0d7a52-5f4e-4c1e-8a59-6f2b1f7f6a10';
const STOPPED = '9e2f6c1a-0000-4000-8000-000000000001';
const OTHERS = '9e2f6c1a-0000-4000-8000-000000000002';
const TOKEN = 'sp_good-token-of-alice';
const BOBS_TOKEN = 'sp_token-of-bob';

const dir = mkdtempSync(join(tmpdir(), 'sparkplane-connect-proxy-'));
const certificates = makeTestCertificates(dir);
let upstream: Awaited<ReturnType<typeof startFakeSparkConnect>>;
let proxy: SparkConnectProxy;
let client: ClientHttp2Session;
const asked: string[] = [];
const touched: string[] = [];
let resolverFails = false;

/** One token, one running session, one stopped session, and Bob, who may use neither. */
const resolver: ConnectSessionResolver = {
  async resolve(sessionId, token): Promise<ConnectResolution> {
    asked.push(sessionId);
    if (resolverFails) throw new Error('the database is unreachable');
    if (token !== TOKEN && token !== BOBS_TOKEN)
      return { refused: 'unauthenticated', message: 'the token is unknown or expired' };
    if (sessionId !== SESSION && sessionId !== STOPPED && sessionId !== OTHERS) {
      return { refused: 'not-found', message: `no session ${sessionId}` };
    }
    if (token === BOBS_TOKEN || sessionId === OTHERS)
      return { refused: 'forbidden', message: `the token may not use session ${sessionId}` };
    if (sessionId === STOPPED) return { refused: 'not-running', message: `session ${sessionId} is KILLED` };
    return { host: '127.0.0.1', port: upstream.port, appId: 'session-app-1', serverToken: 'spark-side-secret' };
  },
  touch: (appId) => touched.push(appId),
};

/** The response headers of a call (a Trailers-Only refusal has its status there). */
const responseOf = (stream: http2.ClientHttp2Stream) =>
  new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', (headers) => resolve(headers)));

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  upstream = await startFakeSparkConnect();
  // the certificate and key as the runtime reads them from its configuration
  const tls = connectTlsOf({ port: 0, tlsCertFile: certificates.certFile, tlsKeyFile: certificates.keyFile });
  proxy = await SparkConnectProxy.start({ port: 0, tls, resolver });
  client = http2.connect(`https://127.0.0.1:${proxy.port}`, { ca: certificates.ca });
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the sc:// proxy forwards a call', () => {
  it('unchanged: request and response messages, metadata and trailers; the token replaced by the server token', async () => {
    const messages = [
      sparkConnectMessage(SESSION, Buffer.from('first')),
      frame(Buffer.from('second')),
      frame(Buffer.from('third')),
    ];
    const result = await grpcCall(client, 'Config', messages, { ...bearer(TOKEN), 'x-client-meta': 'm1' });
    expect(result.status).toBe(0);
    expect(result.trailers['x-trailer']).toBe('kept');
    expect(result.body).toEqual(Buffer.concat(messages));
    const call = upstream.calls.at(-1)!;
    expect(call.path).toBe(`${SERVICE}/Config`);
    expect(call.headers.authorization).toBe('Bearer spark-side-secret');
    expect(call.headers['x-client-meta']).toBe('m1');
    expect(call.headers.te).toBe('trailers');
    expect(touched.at(-1)).toBe('session-app-1');
  });

  it("with the server's Trailers-Only status and message as they are", async () => {
    const result = await grpcCall(client, 'AnalyzePlan', [sparkConnectMessage(SESSION)], bearer(TOKEN));
    expect(result.status).toBe(3);
    expect(result.message).toBe('bad plan % here');
  });

  it('streaming: every ExecutePlan response, then the status', async () => {
    const bounded = await startFakeSparkConnect(20 * 64 * 1024);
    const alone = await SparkConnectProxy.start({
      port: 0,
      tls: certificates,
      resolver: {
        resolve: async () => ({ host: '127.0.0.1', port: bounded.port, appId: 'a' }),
        touch: () => undefined,
      },
    });
    const session = http2.connect(`https://127.0.0.1:${alone.port}`, { ca: certificates.ca });
    try {
      const result = await grpcCall(session, 'ExecutePlan', [sparkConnectMessage(SESSION)], bearer(TOKEN));
      expect(result.status).toBe(0);
      expect(result.body.length).toBe(20 * 64 * 1024);
      // no server token: the client's token is not passed on either
      expect(bounded.calls[0]!.headers.authorization).toBeUndefined();
    } finally {
      session.destroy();
      await alone.close();
      await bounded.close();
    }
  });
});

describe('the sc:// proxy refuses, with a gRPC status and a message, never a hang', () => {
  const cases: { name: string; session: string; metadata: Record<string, string>; status: number; message: RegExp }[] =
    [
      {
        name: 'no token',
        session: SESSION,
        metadata: {},
        status: 16,
        message: /no bearer token: connect with sc:\/\/.*token=/,
      },
      {
        name: 'a wrong token',
        session: SESSION,
        metadata: bearer('sp_forged'),
        status: 16,
        message: /unknown or expired/,
      },
      {
        name: 'a token that is not a bearer token',
        session: SESSION,
        metadata: { authorization: `Basic ${TOKEN}` },
        status: 16,
        message: /no bearer token/,
      },
      {
        name: "another user's token",
        session: SESSION,
        metadata: bearer(BOBS_TOKEN),
        status: 7,
        message: /may not use session/,
      },
      {
        name: "another user's session",
        session: OTHERS,
        metadata: bearer(TOKEN),
        status: 7,
        message: new RegExp(`may not use session ${OTHERS}`),
      },
      {
        name: 'an unknown session',
        session: 'no-such-session',
        metadata: bearer(TOKEN),
        status: 5,
        message: /no session no-such-session/,
      },
      {
        name: 'a session that is not running',
        session: STOPPED,
        metadata: bearer(TOKEN),
        status: 14,
        message: /KILLED/,
      },
    ];
  for (const each of cases) {
    it(each.name, async () => {
      const calls = upstream.calls.length;
      const result = await grpcCall(client, 'ExecutePlan', [sparkConnectMessage(each.session)], each.metadata);
      expect(result.status).toBe(each.status);
      expect(result.message).toMatch(each.message);
      expect(upstream.calls.length).toBe(calls);
    });
  }

  it('a missing token before reading any message, so a client that sends nothing is answered too', async () => {
    const stream = client.request({
      ':method': 'POST',
      ':path': `${SERVICE}/ExecutePlan`,
      'content-type': 'application/grpc',
    });
    const headers = await responseOf(stream);
    expect(headers['grpc-status']).toBe('16');
    stream.close();
  });

  it('a first message without a session id, a method Spark Connect does not have, and a call that is not gRPC', async () => {
    const before = asked.length;
    const noSession = await grpcCall(client, 'Config', [frame(Buffer.from([0x10, 0x01]))], bearer(TOKEN));
    expect(noSession.status).toBe(3);
    expect(noSession.message).toMatch(/no session_id \(field 1\).*session_id=<session id>/);
    const notProtobuf = await grpcCall(client, 'Config', [frame(Buffer.from([0x0f, 0x0f]))], bearer(TOKEN));
    expect(notProtobuf.status).toBe(3);
    expect(notProtobuf.message).toMatch(/not a Spark Connect request: wire type 7/);
    const cut = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION).subarray(0, 9)], bearer(TOKEN));
    expect(cut.status).toBe(3);
    expect(cut.message).toMatch(/ended before its first message was complete/);
    const health = client.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      ...bearer(TOKEN),
    });
    health.end(frame(Buffer.alloc(0)));
    const headers = await responseOf(health);
    expect(headers['grpc-status']).toBe('12');
    expect(decodeURIComponent(String(headers['grpc-message']))).toMatch(
      /not a method of spark.connect.SparkConnectService/,
    );
    expect(asked.length).toBe(before);
  });

  it('reads the session id of a compressed first message and forwards its bytes as they came', async () => {
    const body = sparkConnectMessage(SESSION, Buffer.from('compressed payload')).subarray(5);
    const compressed = gzipSync(body);
    const message = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), compressed]);
    message.writeUInt32BE(compressed.length, 1);
    const result = await grpcCall(client, 'Config', [message], { ...bearer(TOKEN), 'grpc-encoding': 'gzip' });
    expect(result.status).toBe(0);
    expect(result.body).toEqual(message);
    expect(asked.at(-1)).toBe(SESSION);
    const unknown = await grpcCall(client, 'Config', [message], { ...bearer(TOKEN), 'grpc-encoding': 'snappy' });
    expect(unknown.status).toBe(3);
    expect(unknown.message).toMatch(/cannot be decompressed with grpc-encoding snappy/);
    const large = Buffer.concat([Buffer.from([1, 0, 0x20, 0, 0]), Buffer.alloc(0x200000)]);
    const tooLarge = await grpcCall(client, 'Config', [large], { ...bearer(TOKEN), 'grpc-encoding': 'gzip' });
    expect(tooLarge.status).toBe(3);
    expect(tooLarge.message).toMatch(/compressed first message of 2097152 bytes is larger than the 1048576 bytes/);
  });

  it('a first message whose session id is not within its first MiB', async () => {
    const field2 = Buffer.concat([Buffer.from([0x12, 0x80, 0x80, 0x80, 0x01]), Buffer.alloc(2 * 1024 * 1024)]);
    const sessionField = Buffer.concat([Buffer.from([0x0a, SESSION.length]), Buffer.from(SESSION)]);
    const result = await grpcCall(client, 'Config', [frame(Buffer.concat([field2, sessionField]))], bearer(TOKEN));
    expect(result.status).toBe(3);
    expect(result.message).toMatch(/no session_id \(field 1\) in the first 1048576 bytes/);
  });

  it('UNAVAILABLE when the token cannot be checked, and when the session server is gone', async () => {
    resolverFails = true;
    try {
      const result = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)], bearer(TOKEN));
      expect(result.status).toBe(14);
      expect(result.message).toMatch(/cannot be checked now: the database is unreachable/);
    } finally {
      resolverFails = false;
    }
    const gone = await startFakeSparkConnect();
    const port = gone.port;
    await gone.close();
    const orphan = await SparkConnectProxy.start({
      port: 0,
      tls: certificates,
      resolver: { resolve: async () => ({ host: '127.0.0.1', port, appId: 'app-gone' }), touch: () => undefined },
    });
    const session = http2.connect(`https://127.0.0.1:${orphan.port}`, { ca: certificates.ca });
    try {
      const result = await grpcCall(session, 'Config', [sparkConnectMessage(SESSION)], bearer(TOKEN));
      expect(result.status).toBe(14);
      expect(result.message).toMatch(
        new RegExp(
          `Spark Connect server of session ${SESSION} \\(app-gone\\) at 127.0.0.1:${port} failed: .*ECONNREFUSED`,
        ),
      );
    } finally {
      session.destroy();
      await orphan.close();
    }
  });

  it('checks the token on every call of a connection, also after a good call', async () => {
    const good = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)], bearer(TOKEN));
    const wrong = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)], bearer('sp_forged'));
    const missing = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)]);
    const bobs = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)], bearer(BOBS_TOKEN));
    const againGood = await grpcCall(client, 'Config', [sparkConnectMessage(SESSION)], bearer(TOKEN));
    expect([good.status, wrong.status, missing.status, bobs.status, againGood.status]).toEqual([0, 16, 16, 7, 0]);
  });
});

describe('the sc:// proxy passes cancellation and flow control through', () => {
  it('a call the client cancels is cancelled on the session server (RST_STREAM CANCEL)', async () => {
    const stream = client.request({
      ':method': 'POST',
      ':path': `${SERVICE}/ExecutePlan`,
      'content-type': 'application/grpc',
      ...bearer(TOKEN),
    });
    stream.on('error', () => undefined);
    stream.end(sparkConnectMessage(SESSION));
    await new Promise((resolve) => stream.once('data', resolve));
    const call = upstream.calls.at(-1)!;
    expect(call.path).toBe(`${SERVICE}/ExecutePlan`);
    stream.close(http2.constants.NGHTTP2_CANCEL);
    expect(await call.closed).toBe(http2.constants.NGHTTP2_CANCEL);
    await waitFor('the proxy to drop the cancelled call', () => proxy.openCalls === 0);
  });

  it('a stream the session server resets is reset for the client, after the messages it sent', async () => {
    const result = await grpcCall(client, 'Interrupt', [sparkConnectMessage(SESSION)], bearer(TOKEN));
    expect(result.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(result.status).toBeUndefined();
    expect(result.body).toEqual(frame(Buffer.from('one')));
  });

  it('a client that does not read holds the session server back; reading again gets every byte', async () => {
    const total = 48 * 1024 * 1024;
    const bounded = await startFakeSparkConnect(total);
    const alone = await SparkConnectProxy.start({
      port: 0,
      tls: certificates,
      resolver: {
        resolve: async () => ({ host: '127.0.0.1', port: bounded.port, appId: 'a' }),
        touch: () => undefined,
      },
    });
    const session = http2.connect(`https://127.0.0.1:${alone.port}`, { ca: certificates.ca });
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': `${SERVICE}/ExecutePlan`,
        'content-type': 'application/grpc',
        ...bearer(TOKEN),
      });
      stream.end(sparkConnectMessage(SESSION));
      stream.pause();
      await waitFor(
        'the fake server to start streaming',
        () => bounded.calls.length === 1 && bounded.calls[0]!.written() > 0,
      );
      const call = bounded.calls[0]!;
      // the server stalls: what it wrote stops growing while the client reads nothing
      let last = -1;
      const stalled = await waitFor('the server to stall', async () => {
        const now = call.written();
        const same = now === last;
        last = now;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return same && now;
      });
      // bounded by the flow-control windows on the way (about 1 MiB), not by what the server has to send
      expect(stalled).toBeLessThan(8 * 1024 * 1024);
      let received = 0;
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('trailers', resolve));
      stream.resume();
      expect((await trailers)['grpc-status']).toBe('0');
      await waitFor('the stream to end', () => stream.closed);
      expect(received).toBe(call.written());
      expect(received).toBeGreaterThanOrEqual(total);
    } finally {
      session.destroy();
      await alone.close();
      await bounded.close();
    }
  });
});
