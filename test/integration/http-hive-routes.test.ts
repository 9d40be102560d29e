/**
 * The Ocean HiveServer2 paths of sql sessions over inject() on a scripted back-end whose session
 * "server" is a Thrift stand-in on a loopback port: the answers, the media types, bad input, and
 * sessions of the other kind.
 */
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_TYPE, openSessionCall, readMessage } from '../../runtime/adapters/thrift/binary-protocol';
import { listenThrift, thriftStandIn } from '../support/thrift-stand-in';
import { bearer, httpFixture, type HttpFixture } from './http-fixture';

let f: HttpFixture;
let admin: { authorization: string };
let thrift: Server;

async function runningSession(appId: string, kind: 'connect' | 'sql'): Promise<void> {
  const started = await f.server.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    headers: admin,
    payload: { clusterId: 'local', appId, configOverrides: { session: { kind } } },
  });
  expect(started.statusCode, started.body).toBe(201);
  await f.applications.idle();
  f.backend.emit(appId, { state: 'RUNNING', startedAt: f.clock.now().toISOString() });
  await f.applications.idle();
}

beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
  thrift = thriftStandIn();
  const port = await listenThrift(thrift);
  f.backend.connectEndpoint = async () => ({ host: '127.0.0.1', port });
  await runningSession('sql-1', 'sql');
  await runningSession('connect-1', 'connect');
});
afterAll(async () => {
  await f.server.close();
  thrift.close();
});

const code = (appId: string, body: Buffer | string, contentType = 'application/x-thrift') =>
  f.server.inject({
    method: 'POST',
    url: `/ocean/spark/cluster/local/app/${appId}/code?accountId=a`,
    headers: { ...admin, 'content-type': contentType },
    payload: body,
  });

describe('POST .../app/{appId}/code', () => {
  it("answers a Thrift call with the server's reply, as application/x-thrift", async () => {
    const answer = await code('sql-1', openSessionCall(5));
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-thrift');
    expect(readMessage(answer.rawPayload)).toMatchObject({ name: 'OpenSession', type: MESSAGE_TYPE.REPLY, seqid: 5 });
  });

  it('refuses text (400) and an unknown media type (415), a body that is no call (400), and a Spark Connect session (409)', async () => {
    expect((await code('sql-1', '{"sql": "select 1"}', 'application/json')).statusCode).toBe(400);
    const text = await code('sql-1', 'select 1', 'text/plain');
    expect(text.statusCode).toBe(400);
    expect(text.json().response.errors[0].message).toBe(
      '(body): "select 1" is not bytes: expected a Thrift call sent as Content-Type application/x-thrift',
    );
    expect((await code('sql-1', 'select 1', 'application/x-protobuf')).statusCode).toBe(415);
    const partial = await code('sql-1', openSessionCall().subarray(0, 9));
    expect(partial.statusCode).toBe(400);
    expect(partial.json().response.errors[0].message).toMatch(/^\(body\): 9 bytes end before the message does/);
    const connect = await code('connect-1', openSessionCall());
    expect(connect.statusCode).toBe(409);
    expect(connect.body).toMatch(/is a connect session \(session.kind\)/);
    expect((await code('no-such', openSessionCall())).statusCode).toBe(404);
  });
});

describe('GET .../app/{appId}/hive', () => {
  it('answers a plain GET with a 400 saying it is a WebSocket, and refuses a Spark Connect session (409)', async () => {
    const plain = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/sql-1/hive?accountId=a',
      headers: admin,
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.body).toMatch(/WebSocket/);
    const connect = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/connect-1/hive?accountId=a',
      headers: admin,
    });
    expect(connect.statusCode).toBe(409);
    const anonymous = await f.server.inject({
      method: 'GET',
      url: '/ocean/spark/cluster/local/app/sql-1/hive?accountId=a',
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('refuses an unknown session kind at the start, naming the field', async () => {
    const bad = await f.server.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: admin,
      payload: { clusterId: 'local', configOverrides: { session: { kind: 'hive' } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('configOverrides.session.kind');
  });
});
