/**
 * A session started through the API, used by the real PySpark 4 Spark Connect client through the
 * runtime's sc:// endpoint (TLS, the runtime's tokens, session_id from the session's view): a query
 * with a shuffle gives its result and marks the session used; another user's token, a forged one and
 * an unknown session are refused on every call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkConnectProxy } from '../../runtime/adapters/connect/grpc-proxy';
import type { SessionView } from '../../runtime/domain/session';
import { sessionResolver } from '../../runtime/main/connect-endpoint';
import { call, startService, type Service } from '../e2e/service-fixture';
import { SparkConnectClient } from '../support/spark-connect';
import { sparkEnv, waitFor } from '../support/spark';
import { makeTestCertificates } from '../support/test-ca';

const env = sparkEnv();
const dir = mkdtempSync(join(tmpdir(), 'sparkplane-sessions-connect-'));
const certificates = makeTestCertificates(dir);
let service: Service;
let proxy: SparkConnectProxy;
let alice: string;
let bob: string;
const clients: SparkConnectClient[] = [];

beforeAll(async () => {
  service = await startService();
  const token = async (name: string) =>
    (
      await service.runtime.tokens.create({
        name,
        scopes: ['applications:read', 'applications:create', 'applications:kill'],
      })
    ).secret;
  alice = await token('alice');
  bob = await token('bob');
  proxy = await SparkConnectProxy.start({
    port: 0,
    tls: certificates,
    resolver: sessionResolver(service.runtime.tokens, service.runtime.sessions),
  });
}, 60_000);

afterAll(async () => {
  for (const each of clients) await each.close();
  await proxy?.close();
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('PySpark 4 through the runtime sc:// endpoint', () => {
  it('runs a shuffle in a session started through the API, and refuses tokens that may not use it', async () => {
    const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
      token: alice,
      body: { clusterId: 'local', configOverrides: { driver: { memory: '512m', cores: 1 } } },
    });
    expect(started.status, started.text).toBe(201);
    const id = started.body.application.id;
    await waitFor(
      'the session to be RUNNING',
      async () => {
        const got = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
        if (!['NEW', 'PENDING', 'RUNNING'].includes(got.application.state)) {
          throw new Error(`session ended: ${got.application.state} ${got.application.stateReason ?? ''}`);
        }
        return got.application.state === 'RUNNING';
      },
      240_000,
    );
    const url = (token: string, sessionId = started.body.sessionId) =>
      `sc://127.0.0.1:${proxy.port}/;token=${token};session_id=${sessionId}`;

    const pyspark = new SparkConnectClient(env.pythonPath, certificates.caFile);
    clients.push(pyspark);
    expect(await pyspark.send({ op: 'connect', name: 'alice', url: url(alice) })).toEqual({ ok: true });
    const result = await pyspark.send({
      op: 'sql',
      name: 'alice',
      sql: 'SELECT id % 5 AS k, count(*) AS n FROM range(0, 1000, 1, 4) GROUP BY id % 5 ORDER BY k',
    });
    expect(result).toMatchObject({ ok: true, rows: [0, 1, 2, 3, 4].map((k) => [k, 200]) });
    const used = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
    expect(used.lastActivityAt).toBeDefined();

    await pyspark.send({ op: 'connect', name: 'bob', url: url(bob) });
    await pyspark.send({ op: 'connect', name: 'forged', url: url('sp_forged-token') });
    await pyspark.send({
      op: 'connect',
      name: 'unknown',
      url: url(alice, '00000000-0000-8000-8000-000000000000'),
    });
    expect(await pyspark.send({ op: 'sql', name: 'bob', sql: 'SELECT 1' })).toMatchObject({
      ok: false,
      status: expect.stringMatching(/^(PERMISSION_DENIED|NOT_FOUND)$/),
    });
    expect(await pyspark.send({ op: 'sql', name: 'forged', sql: 'SELECT 1' })).toMatchObject({
      ok: false,
      status: 'UNAUTHENTICATED',
    });
    expect(await pyspark.send({ op: 'sql', name: 'unknown', sql: 'SELECT 1' })).toMatchObject({
      ok: false,
      status: 'NOT_FOUND',
    });
    // and alice's session still answers after the refusals
    expect(await pyspark.send({ op: 'sql', name: 'alice', sql: 'SELECT sum(id) FROM range(10)' })).toMatchObject({
      ok: true,
      rows: [[45]],
    });

    expect((await call(service.url, 'DELETE', `/api/v1/sessions/${id}`, { token: alice })).status).toBe(200);
  });
});
