/**
 * Sessions end to end on the local back-end with real Spark: started through the API, ready once
 * Spark Connect answers, used by the real ocean-spark-connect client (pyspark 3.5, in its own venv,
 * scripts/python-envs.sh) through the Ocean /connect WebSocket, stopped and then measured and costed;
 * an idle session is stopped by its (shortened) idle time-out; tokens that may not use a session are
 * refused before the upgrade.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SessionView } from '../../runtime/domain/session';
import { call, startService, type Service } from '../e2e/service-fixture';
import { REPOSITORY, waitFor } from '../support/spark';

const run = promisify(execFile);
const VENV = process.env.SPARKPLANE_OCEAN_CONNECT_VENV ?? join(REPOSITORY, '.venv', 'ocean-connect');
const PYTHON = join(VENV, 'bin', 'python');
const SMALL = { driver: { memory: '512m', cores: 1 } };

let service: Service;
let alice: string;
let bob: string;

/** The HTTP status a WebSocket upgrade to `path` is answered with (101 when it upgrades). */
function upgradeStatus(path: string, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(new URL(path, service.url.replace(/^http/, 'ws')), {
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

async function startSession(overrides: Record<string, unknown>): Promise<SessionView> {
  const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
    token: alice,
    body: { clusterId: 'local', configOverrides: { ...SMALL, ...overrides } },
  });
  expect(started.status, started.text).toBe(201);
  return started.body;
}

async function session(id: string): Promise<SessionView> {
  return (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token: alice })).body;
}

beforeAll(async () => {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run scripts/python-envs.sh (or set SPARKPLANE_OCEAN_CONNECT_VENV)`);
  }
  service = await startService({ sessionIdleSweepIntervalMs: 500 });
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

// closing stops the Spark Connect servers still running (10 s of grace each)
afterAll(async () => {
  await service?.close();
}, 60_000);

describe('a Spark Connect session on the local back-end', () => {
  it('starts, answers ocean-spark-connect through /connect with a shuffle, refuses other tokens, and is measured once stopped', async () => {
    const started = await startSession({});
    const app = started.application;
    expect(app).toMatchObject({ type: 'session', clusterId: 'local', userId: 'alice' });
    expect(app.jobId).toBeUndefined();
    expect(started.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(started.idleTimeoutMinutes).toBe(60);
    expect(started.connect.sparkConnectUrl).toBe(`sc://127.0.0.1:15002/;token=<token>;session_id=${started.sessionId}`);
    const path = `${started.connect.oceanPath}?accountId=act-sparkplane`;

    const ready = await waitFor(
      'the session to be RUNNING',
      async () => {
        const s = await session(app.id);
        if (s.application.state !== 'NEW' && s.application.state !== 'PENDING' && s.application.state !== 'RUNNING') {
          throw new Error(`session ended: ${s.application.state} ${s.application.stateReason ?? ''}`);
        }
        return s.application.state === 'RUNNING' && s;
      },
      240_000,
    );
    expect(ready.application.startedAt).toBeDefined();

    // refused before the upgrade: no token, an unknown one, another user's, an unknown session
    expect(await upgradeStatus(path, undefined)).toBe(401);
    expect(await upgradeStatus(path, 'not-a-token')).toBe(401);
    expect(await upgradeStatus(path, bob)).toBe(403);
    expect(await upgradeStatus(`/ocean/spark/cluster/local/app/no-such-session/connect?accountId=a`, alice)).toBe(404);

    const host = new URL(service.url).host;
    const before = Date.parse(ready.lastActivityAt!);
    const { stdout } = await run(
      PYTHON,
      [join(REPOSITORY, 'test/integration/python/ocean_connect_query.py'), host, 'local', app.id, alice],
      { timeout: 180_000 },
    );
    const rows = JSON.parse(stdout.trim().split('\n').pop()!) as { k: number; count: number }[];
    expect(rows).toEqual(Array.from({ length: 10 }, (_, k) => ({ k, count: 100 })));
    // the relay touched the idle clock
    expect(Date.parse((await session(app.id)).lastActivityAt!)).toBeGreaterThan(before);

    const stopped = await call<SessionView>(service.url, 'DELETE', `/api/v1/sessions/${app.id}`, { token: alice });
    expect(stopped.status, stopped.text).toBe(200);
    const measured = await waitFor(
      'the stopped session to be measured',
      async () => {
        const s = await session(app.id);
        return s.application.measurement?.state === 'measured' && s;
      },
      120_000,
    );
    expect(measured.application.state).toBe('KILLED');
    expect(measured.lastActivityAt).toBeUndefined();
    const metrics = measured.application.metrics!;
    // the query's stages ran in the session: task time, a shuffle's bytes and a cost
    expect(metrics.executorRunTimeMs).toBeGreaterThan(0);
    expect(metrics.shuffleWriteBytes).toBeGreaterThan(0);
    expect(metrics.cost?.total).toBeGreaterThan(0);
    // a stopped session refuses the relay: it is not running
    expect(await upgradeStatus(path, alice)).toBe(409);
  }, 600_000);

  it('is stopped by its idle time-out, with the reason', async () => {
    // 0.05 minutes: 3 s without a request
    const started = await startSession({ session: { idleTimeoutMinutes: 0.05 } });
    expect(started.idleTimeoutMinutes).toBe(0.05);
    const ended = await waitFor(
      'the idle session to time out',
      async () => {
        const s = await session(started.application.id);
        return (
          s.application.state !== 'NEW' && s.application.state !== 'PENDING' && s.application.state !== 'RUNNING' && s
        );
      },
      300_000,
    );
    expect(ended.application.state).toBe('TIMED_OUT');
    expect(ended.application.stateReason).toMatch(/idle for 0.05 minutes without a request/);
    expect(ended.application.startedAt).toBeDefined();
  }, 600_000);
});
