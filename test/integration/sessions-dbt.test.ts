/**
 * dbt on a sql session (session.kind sql) with real Spark: the session's Spark Thrift Server is
 * started through the API and reached only through the runtime, behind TLS (both dbt-ocean-spark
 * methods force it; a CA of the test's own, trusted with SSL_CERT_FILE). The example project
 * (examples/dbt) with its profile, only the address and the token set, runs `dbt debug` and
 * `dbt run` through the /hive WebSocket, then `dbt show` reads the model's table back through
 * /code (Thrift over HTTP). Tokens that may not use the session are refused before the server.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SessionView } from '../../runtime/domain/session';
import { openSessionCall } from '../../runtime/adapters/thrift/binary-protocol';
import { call, startService, type Service } from '../e2e/service-fixture';
import { REPOSITORY, waitFor } from '../support/spark';
import { makeTestCertificates, type TestCertificates } from '../support/test-ca';
import { startTlsFront, type TlsFront } from '../support/tls-front';

const run = promisify(execFile);
const VENV = process.env.SPARKPLANE_DBT_VENV ?? join(REPOSITORY, '.venv', 'dbt');
const DBT = join(VENV, 'bin', 'dbt');

let dir: string;
let certificates: TestCertificates;
let service: Service;
let front: TlsFront;
let alice: string;
let bob: string;
let session: SessionView;

const base = () => `https://127.0.0.1:${front.port}`;

/** The HTTP status a WebSocket upgrade to `path` (over the TLS front) is answered with (101 when it upgrades). */
function upgradeStatus(path: string, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(new URL(path, base().replace(/^https/, 'wss')), {
      ca: certificates.ca,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    ws.on('error', reject);
  });
}

/** dbt in the copied example project, with its profile pointed at the runtime through the TLS front. */
async function dbt(args: string[], token = alice): Promise<string> {
  try {
    const { stdout } = await run(
      DBT,
      [...args, '--project-dir', join(dir, 'project'), '--profiles-dir', join(dir, 'project')],
      {
        cwd: join(dir, 'project'),
        timeout: 240_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          SSL_CERT_FILE: certificates.caFile,
          SPARKPLANE_HOST: '127.0.0.1',
          SPARKPLANE_PORT: String(front.port),
          SPARKPLANE_SQL_SESSION: session.application.id,
          SPARKPLANE_TOKEN: token,
          DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
        },
      },
    );
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`dbt ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

beforeAll(async () => {
  if (!existsSync(DBT)) throw new Error(`${DBT} is missing: run scripts/python-envs.sh (or set SPARKPLANE_DBT_VENV)`);
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-dbt-'));
  certificates = makeTestCertificates(dir);
  cpSync(join(REPOSITORY, 'examples/dbt'), join(dir, 'project'), { recursive: true });
  service = await startService();
  front = await startTlsFront(new URL(service.url), certificates);
  const token = async (name: string) =>
    (
      await service.runtime.tokens.create({
        name,
        scopes: ['applications:read', 'applications:create', 'applications:kill'],
      })
    ).secret;
  alice = await token('alice');
  bob = await token('bob');
}, 60_000);

afterAll(async () => {
  await front?.close();
  // closing stops the Thrift Server still running
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('dbt-ocean-spark on a sql session', () => {
  it('runs dbt debug, dbt run through /hive and dbt show through /code, and refuses other tokens', async () => {
    const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
      token: alice,
      body: { clusterId: 'local', configOverrides: { driver: { memory: '512m', cores: 1 }, session: { kind: 'sql' } } },
    });
    expect(started.status, started.text).toBe(201);
    session = started.body;
    const id = session.application.id;
    expect(session.connect).toMatchObject({
      hivePath: `/ocean/spark/cluster/local/app/${id}/hive`,
      codePath: `/ocean/spark/cluster/local/app/${id}/code`,
    });
    const ready = await waitFor(
      'the sql session to be RUNNING',
      async () => {
        const s = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
        if (!['NEW', 'PENDING', 'RUNNING'].includes(s.application.state)) {
          throw new Error(`session ended: ${s.application.state} ${s.application.stateReason ?? ''}`);
        }
        return s.application.state === 'RUNNING' && s;
      },
      240_000,
    );

    // refused before anything reaches the server
    const hive = `${session.connect.hivePath!}?accountId=any`;
    expect(await upgradeStatus(hive, undefined)).toBe(401);
    expect(await upgradeStatus(hive, 'not-a-token')).toBe(401);
    expect(await upgradeStatus(hive, bob)).toBe(403);
    // a sql session serves no Spark Connect
    expect(await upgradeStatus(`/ocean/spark/cluster/local/app/${id}/connect?accountId=any`, alice)).toBe(409);
    const post = (token: string, body: Buffer) =>
      fetch(new URL(`${session.connect.codePath!}?accountId=any`, service.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-thrift' },
        body,
      });
    expect((await post('not-a-token', openSessionCall())).status).toBe(401);
    expect((await post(bob, openSessionCall())).status).toBe(403);
    const garbage = await post(alice, Buffer.from('select 1'));
    expect(garbage.status).toBe(400);
    expect(
      ((await garbage.json()) as { response: { errors: { message: string }[] } }).response.errors[0]?.message,
    ).toMatch(/\(body\): .*expected one Thrift call in the binary protocol/);

    expect(await dbt(['debug', '--target', 'hive'])).toMatch(/All checks passed!/);
    const ran = await dbt(['run', '--target', 'hive']);
    expect(ran).toMatch(/1 of 1 OK created sql table model default\.squares/);
    expect(ran).toMatch(/Done\. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1/);

    // the relay touched the session's idle clock
    const afterRun = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
    expect(Date.parse(afterRun.lastActivityAt!)).toBeGreaterThan(Date.parse(ready.lastActivityAt!));

    // the table dbt made, read back through Thrift over HTTP
    const shown = await dbt([
      'show',
      '--target',
      'code',
      '--output',
      'json',
      '--inline',
      'select parity, numbers, sum_of_squares from default.squares order by parity',
    ]);
    const json = shown.slice(shown.indexOf('{'), shown.lastIndexOf('}') + 1);
    expect((JSON.parse(json) as { show: unknown[] }).show).toEqual([
      { parity: 0, numbers: 5, sum_of_squares: 120 },
      { parity: 1, numbers: 5, sum_of_squares: 165 },
    ]);
    // dbt through /code with another user's token: refused, dbt says the connection failed
    await expect(dbt(['debug', '--target', 'code'], bob)).rejects.toThrow(/Failed to connect, is your token valid\?/);

    const stopped = await call<SessionView>(service.url, 'DELETE', `/api/v1/sessions/${id}`, { token: alice });
    expect(stopped.status, stopped.text).toBe(200);
    const measured = await waitFor(
      'the stopped sql session to be measured',
      async () => {
        const s = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
        return s.application.measurement?.state === 'measured' && s;
      },
      120_000,
    );
    expect(measured.application.state).toBe('KILLED');
    // the model ran in the session, measured from its event log: its table's two rows written, task time, a cost
    expect(measured.application.metrics?.outputRecords).toBe(2);
    expect(measured.application.metrics?.executorRunTimeMs).toBeGreaterThan(0);
    expect(measured.application.metrics?.cost?.total).toBeGreaterThan(0);
  }, 600_000);
});
