/**
 * The sc:// proxy stops the execution of a client that went away, on the wire against a fake Spark
 * Connect server (h2c) whose executions never end: Interrupt by operation id with the dead call's
 * session id and user context, read past a 1 MiB plan; none while the client reattached in time.
 * test/integration/connect-spark.test.ts does it with the real PySpark client and Spark.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeFrame, encodeMessage } from '../../runtime/adapters/connect/grpc-frame';
import { proxyInFrontOf, SERVICE } from '../support/grpc-wire';
import { waitFor } from '../support/spark';

const SESSION = '5c1e7a3b-2d4f-4e6a-9b8c-0a1b2c3d4e5f';
const OPERATION = '7e2f8b4c-3e5a-4f7b-8c9d-1b2c3d4e5f60';
const USER_CONTEXT = encodeMessage([[1, 'alice']]);
const GRACE_MS = 1000;

/** What the fake server saw, in order: each call's opening and closing, and each Interrupt's message. */
const events: string[] = [];
const interrupts: Buffer[] = [];
let close: (() => Promise<void>) | undefined;
let client: ClientHttp2Session;

beforeAll(async () => {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const method = String(headers[':path']).slice(SERVICE.length + 1);
    stream.on('error', () => undefined);
    events.push(`${method} opened`);
    stream.once('close', () => events.push(`${method} closed`));
    if (method === 'Interrupt') {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        interrupts.push(Buffer.concat(chunks));
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(encodeFrame(encodeMessage([[1, SESSION]])));
      });
      return;
    }
    // an execution that runs for hours: once the request was read whole (as Spark reads it), one response, then nothing
    stream.resume();
    stream.once('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.write(encodeFrame(encodeMessage([[1, SESSION]])));
    });
  });
  ({ client, close } = await proxyInFrontOf(server, { abandonedExecutionGraceMs: GRACE_MS }));
});

afterAll(async () => {
  await close?.();
});

/** Starts a call with `message`, sent in 64 KiB pieces, and resolves once its first response arrived. */
async function open(method: string, message: Buffer): Promise<http2.ClientHttp2Stream> {
  const stream = client.request({
    ':method': 'POST',
    ':path': `${SERVICE}/${method}`,
    'content-type': 'application/grpc',
    authorization: 'Bearer sp_token',
  });
  stream.on('error', () => undefined);
  const bytes = encodeFrame(message);
  for (let at = 0; at < bytes.length; at += 64 * 1024) stream.write(bytes.subarray(at, at + 64 * 1024));
  stream.end();
  await new Promise((resolve) => stream.once('data', resolve));
  return stream;
}

const interruptOf = (operationId: string) =>
  encodeFrame(
    encodeMessage([
      [1, SESSION],
      [2, USER_CONTEXT],
      [3, 'sparkplane-connect-proxy'],
      [4, 3],
      [6, operationId],
    ]),
  );

it("interrupts the operation of an ExecutePlan whose client reset it, with the call's session and user context", async () => {
  const plan = Buffer.alloc(1024 * 1024, 9);
  const call = await open(
    'ExecutePlan',
    encodeMessage([
      [1, SESSION],
      [2, USER_CONTEXT],
      [3, plan],
      [6, OPERATION],
    ]),
  );
  call.close(http2.constants.NGHTTP2_CANCEL);
  await waitFor('the proxy to interrupt the execution', () => interrupts.length === 1);
  expect(interrupts[0]).toEqual(interruptOf(OPERATION));
  expect(events.filter((event) => event.startsWith('ExecutePlan'))).toEqual([
    'ExecutePlan opened',
    'ExecutePlan closed',
  ]);
});

it('does not interrupt an execution its client reattached to within the grace, until that call goes away too', async () => {
  const operation = '8f3a9c5d-4f6b-4a8c-9d0e-2c3d4e5f6071';
  const before = interrupts.length;
  const first = await open(
    'ExecutePlan',
    encodeMessage([
      [1, SESSION],
      [2, USER_CONTEXT],
      [6, operation],
    ]),
  );
  first.close(http2.constants.NGHTTP2_CANCEL);
  const reattached = await open(
    'ReattachExecute',
    encodeMessage([
      [1, SESSION],
      [2, USER_CONTEXT],
      [3, operation],
    ]),
  );
  // past the first call's grace, with the reattached call open: nothing is interrupted
  await new Promise((resolve) => setTimeout(resolve, 2 * GRACE_MS));
  expect(interrupts.length, JSON.stringify([events, interrupts.map((b) => b.toString('latin1'))])).toBe(before);
  reattached.close(http2.constants.NGHTTP2_CANCEL);
  await waitFor('the proxy to interrupt the execution', () => interrupts.length === before + 1);
  expect(interrupts.at(-1)).toEqual(interruptOf(operation));
  expect(events.indexOf('ReattachExecute closed')).toBeLessThan(events.lastIndexOf('Interrupt opened'));
});
