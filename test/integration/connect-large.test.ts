/**
 * The sc:// proxy forwards ExecutePlan calls whose request is large (PySpark inlines the local data
 * of createDataFrame as a LocalRelation up to spark.sql.session.localRelationCacheThreshold, 64 MiB)
 * whole, and their response, against a fake Spark Connect server (h2c) that, as Spark does, reads
 * the whole request before it answers. test/integration/connect-spark.test.ts sends a 2 MiB plan
 * with the real PySpark client.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import http2, { type ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeFrame, encodeMessage } from '../../runtime/adapters/connect/grpc-frame';
import { proxyInFrontOf, SERVICE } from '../support/grpc-wire';

const SESSION = '5c1e7a3b-2d4f-4e6a-9b8c-0a1b2c3d4e5f';
let close: (() => Promise<void>) | undefined;
let client: ClientHttp2Session;

/** The fake server's one response: the size of the request it read. */
const answerTo = (requestBytes: number) =>
  encodeFrame(
    encodeMessage([
      [1, SESSION],
      [2, requestBytes],
    ]),
  );

beforeAll(async () => {
  const server = http2.createServer();
  // answers with the byte count of the request it read whole
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    let received = 0;
    stream.on('data', (chunk: Buffer) => (received += chunk.length));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(answerTo(received));
    });
  });
  ({ client, close } = await proxyInFrontOf(server));
});

afterAll(async () => {
  await close?.();
});

/** An ExecutePlan call with a plan of `planBytes`: the response body, grpc-status and request size. */
async function executePlan(planBytes: number): Promise<{ body: Buffer; status: string | undefined; sent: number }> {
  const stream = client.request({
    ':method': 'POST',
    ':path': `${SERVICE}/ExecutePlan`,
    'content-type': 'application/grpc',
    te: 'trailers',
    authorization: 'Bearer sp_token',
  });
  stream.on('error', () => undefined);
  const request = encodeFrame(
    encodeMessage([
      [1, SESSION],
      [3, Buffer.alloc(planBytes, 9)],
      [6, 'op'],
    ]),
  );
  let status: string | undefined;
  stream.on('trailers', (trailers) => (status = String(trailers['grpc-status'])));
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  // written as a client library does, as flow control lets it (not queued whole in node's session)
  await pipeline(Readable.from(chunksOf(request, 64 * 1024)), stream);
  if (!stream.closed) await once(stream, 'close');
  return { body: Buffer.concat(chunks), status, sent: request.length };
}

function* chunksOf(bytes: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const MiB = 1024 * 1024;
/** A call that stalls fails within this, not the integration project's 300 s. */
const HANG_GUARD_MS = 60_000;

it.each([1 * MiB, 8 * MiB, 16 * MiB, 64 * MiB])(
  'forwards an ExecutePlan of a %i-byte plan whole, and its response',
  async (size) => {
    const { body, status, sent } = await executePlan(size);
    expect(status).toBe('0');
    expect(body).toEqual(answerTo(sent));
  },
  HANG_GUARD_MS,
);

it(
  'forwards four 8 MiB plans at once on one connection',
  async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => executePlan(8 * MiB)));
    for (const { body, status, sent } of results) {
      expect(status).toBe('0');
      expect(body).toEqual(answerTo(sent));
    }
  },
  HANG_GUARD_MS,
);
