/**
 * The sc:// proxy between the real PySpark 4 Spark Connect client and a real Spark Connect
 * server: a query with a shuffle, and one whose plan is 2 MiB, give their results through TLS and
 * the proxy; a wrong, missing or other session's token is refused on every call, also after a good
 * one; an unknown session is NOT_FOUND; a client that dies mid-query has its query cancelled in
 * Spark by the proxy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkConnectProxy } from '../../runtime/adapters/connect/grpc-proxy';
import type { ConnectResolution, ConnectSessionResolver } from '../../runtime/adapters/connect/session-resolver';
import type { Logger } from '../../runtime/domain/ports';
import { SparkConnectClient, type SparkConnectServer, startSparkConnectServer } from '../support/spark-connect';
import { sparkEnv, waitFor } from '../support/spark';
import { makeTestCertificates } from '../support/test-ca';

const SESSION = '1d6e9a8c-3f2b-4e7d-9c1a-5b8f0e2d4a61';
const OTHER_SESSION = '2a7f0b9d-4e3c-4f8e-8d2b-6c9e1f3e5b72';
const UNKNOWN_SESSION = '3b8e1c0e-5f4d-4a9f-9e3c-7d0f2a4f6c83';
const TOKEN = 'sp_token-of-the-session-owner';
const OTHER_TOKEN = 'sp_token-of-another-session';

const env = sparkEnv();
const dir = mkdtempSync(join(tmpdir(), 'sparkplane-connect-spark-'));
const certificates = makeTestCertificates(dir);
let spark: SparkConnectServer;
let proxy: SparkConnectProxy;
const clients: SparkConnectClient[] = [];
const touched: string[] = [];
const logged: { fields: object; message: string }[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (fields, message) => logged.push({ fields, message }),
  warn: (fields, message) => logged.push({ fields, message }),
  error: (fields, message) => logged.push({ fields, message }),
};

/** Knows one running session (its owner's token) and another session's token. */
const resolver: ConnectSessionResolver = {
  async resolve(sessionId, token): Promise<ConnectResolution> {
    const tokens: Record<string, string> = { [TOKEN]: SESSION, [OTHER_TOKEN]: OTHER_SESSION };
    const scope = tokens[token];
    if (scope === undefined) return { refused: 'unauthenticated', message: 'the token is unknown or expired' };
    if (sessionId !== SESSION && sessionId !== OTHER_SESSION)
      return { refused: 'not-found', message: `no session ${sessionId}` };
    if (scope !== sessionId) return { refused: 'forbidden', message: `the token may not use session ${sessionId}` };
    return { host: spark.host, port: spark.port, appId: 'session-app-1', serverToken: spark.token };
  },
  touch: (appId) => touched.push(appId),
};

function client(): SparkConnectClient {
  const made = new SparkConnectClient(env.pythonPath, certificates.caFile);
  clients.push(made);
  return made;
}

const url = (params: string) => `sc://127.0.0.1:${proxy.port}/;${params}`;
const SHUFFLE_QUERY =
  'SELECT id % 7 AS k, count(*) AS n, sum(id) AS s FROM range(0, 100000, 1, 4) GROUP BY id % 7 ORDER BY k';

beforeAll(async () => {
  spark = await startSparkConnectServer(env, join(dir, 'spark'), 'spark-side-secret-0123456789', {
    // a live client's execution streams end every 2 s (2 min by default) and it reattaches through
    // the proxy; Spark's own sweep of detached executions keeps its 5 min, so within this test only
    // the proxy stops the execution of a client that died
    'spark.connect.execute.reattachable.senderMaxStreamDuration': '2s',
  });
  proxy = await SparkConnectProxy.start({
    port: 0,
    tls: certificates,
    resolver,
    logger,
    abandonedExecutionGraceMs: 1000,
  });
}, 240_000);

afterAll(async () => {
  for (const each of clients) await each.close();
  await proxy?.close();
  await spark?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PySpark through sc:// with a token', () => {
  it('runs a query with a shuffle and gets its result; refuses bad tokens on every call, also after a good one', async () => {
    const pyspark = client();
    expect(
      await pyspark.send({ op: 'connect', name: 'good', url: url(`token=${TOKEN};session_id=${SESSION}`) }),
    ).toEqual({ ok: true });
    const result = await pyspark.send({ op: 'sql', name: 'good', sql: SHUFFLE_QUERY });
    const expected = Array.from({ length: 7 }, (_, k) => {
      const ids = Array.from({ length: 100000 }, (_, id) => id).filter((id) => id % 7 === k);
      return [k, ids.length, ids.reduce((a, b) => a + b, 0)];
    });
    expect(result).toMatchObject({ ok: true, rows: expected });
    expect(touched).toContain('session-app-1');

    // the same session id, from the same client process, after the good calls
    await pyspark.send({ op: 'connect', name: 'wrong', url: url(`token=sp_forged;session_id=${SESSION}`) });
    await pyspark.send({ op: 'connect', name: 'missing', url: url(`use_ssl=true;session_id=${SESSION}`) });
    await pyspark.send({ op: 'connect', name: 'other', url: url(`token=${OTHER_TOKEN};session_id=${SESSION}`) });
    await pyspark.send({ op: 'connect', name: 'unknown', url: url(`token=${TOKEN};session_id=${UNKNOWN_SESSION}`) });
    for (let round = 0; round < 2; round += 1) {
      expect(await pyspark.send({ op: 'sql', name: 'wrong', sql: 'SELECT 1' })).toMatchObject({
        ok: false,
        status: 'UNAUTHENTICATED',
        message: expect.stringContaining('unknown or expired'),
      });
      expect(await pyspark.send({ op: 'sql', name: 'missing', sql: 'SELECT 1' })).toMatchObject({
        ok: false,
        status: 'UNAUTHENTICATED',
        message: expect.stringContaining('no bearer token'),
      });
      expect(await pyspark.send({ op: 'sql', name: 'other', sql: 'SELECT 1' })).toMatchObject({
        ok: false,
        status: 'PERMISSION_DENIED',
        message: expect.stringContaining(`may not use session ${SESSION}`),
      });
      expect(await pyspark.send({ op: 'sql', name: 'unknown', sql: 'SELECT 1' })).toMatchObject({
        ok: false,
        status: 'NOT_FOUND',
        message: expect.stringContaining(`no session ${UNKNOWN_SESSION}`),
      });
      // and the good session still works between the refusals
      expect(await pyspark.send({ op: 'sql', name: 'good', sql: 'SELECT sum(id) FROM range(10)' })).toMatchObject({
        ok: true,
        rows: [[45]],
      });
    }
  });

  it('forwards a 2 MiB plan (a query with a 2 MiB literal) and gets its result', async () => {
    const pyspark = client();
    await pyspark.send({ op: 'connect', name: 'large', url: url(`token=${TOKEN};session_id=${SESSION}`) });
    const literal = 'x'.repeat(2 * 1024 * 1024);
    expect(
      await pyspark.send({ op: 'sql', name: 'large', sql: `SELECT length(s) FROM VALUES ('${literal}') AS t(s)` }),
    ).toMatchObject({ ok: true, rows: [[literal.length]] });
  });

  it("the session's server itself refuses the client's sparkplane token: the proxy is the way in", async () => {
    const direct = client();
    await direct.send({
      op: 'connect',
      name: 'direct',
      url: `sc://localhost:${spark.port}/;token=${TOKEN};session_id=${SESSION}`,
    });
    expect(await direct.send({ op: 'sql', name: 'direct', sql: 'SELECT 1' })).toMatchObject({
      ok: false,
      status: 'UNAUTHENTICATED',
    });
  });

  it('a client that dies mid-query has its query cancelled in Spark', async () => {
    const doomed = client();
    await doomed.send({ op: 'connect', name: 'long', url: url(`token=${TOKEN};session_id=${SESSION}`) });
    const count = (pattern: RegExp) => (spark.log().match(pattern) ?? []).length;
    const jobStarted = /DAGScheduler: Submitting \d+ missing tasks from \w+Stage/g;
    // what Spark logs when it stops a Spark Connect operation of this session
    const cancelled = new RegExp(
      `Asked to cancel jobs with tag SparkConnect_OperationTag_User_\\w*_Session_${SESSION}_Operation_`,
      'g',
    );
    const [jobsBefore, cancelledBefore] = [count(jobStarted), count(cancelled)];
    // a query that runs for hours on two cores
    let answered = false;
    void doomed
      .send({ op: 'sql', name: 'long', sql: 'SELECT max(hash(id)) FROM range(0, 10000000000000, 1, 2)' })
      .then(() => (answered = true));
    await waitFor(
      () => `the query to start in Spark (log: ${spark.log().slice(-1500)})`,
      () => count(jobStarted) > jobsBefore,
    );
    expect(proxy.openCalls).toBeGreaterThan(0);
    expect(answered).toBe(false);
    expect(count(cancelled)).toBe(cancelledBefore);
    await doomed.kill();
    await waitFor('the proxy to drop the calls of the dead client', () => proxy.openCalls === 0);
    await waitFor(
      () => `Spark to cancel the query (log: ${spark.log().slice(-3000)})`,
      () => count(cancelled) > cancelledBefore,
    );
    // by the proxy's Interrupt of that operation, answered OK, in the dead client's session
    const stopped = await waitFor('the proxy to log its Interrupt', () => {
      const found = logged.filter((each) => each.message.includes('execution of a client that went away'));
      return found.length > 0 && found;
    });
    expect(stopped).toEqual([
      {
        message: 'spark connect proxy: interrupted the execution of a client that went away',
        fields: { sessionId: SESSION, operationId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: '0', message: '' },
      },
    ]);
    const { operationId } = stopped[0]!.fields as { operationId: string };
    expect(spark.log()).toMatch(
      new RegExp(
        `Asked to cancel jobs with tag SparkConnect_OperationTag_User_\\w*_Session_${SESSION}_Operation_${operationId}`,
      ),
    );
    // the session is still there for its other clients
    const next = client();
    await next.send({ op: 'connect', name: 'after', url: url(`token=${TOKEN};session_id=${SESSION}`) });
    expect(await next.send({ op: 'sql', name: 'after', sql: 'SELECT count(*) FROM range(100)' })).toMatchObject({
      ok: true,
      rows: [[100]],
    });
  });
});
