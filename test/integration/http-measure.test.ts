/**
 * POST /api/v1/applications/{id}/measure over the HTTP fixture, on the real SQLite store: an admin
 * reads an ended application's event log again (a log restored after it was missing); others are
 * refused, as is an application that has not ended; the measurement is in the Application.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import { appEnd, appStart, executorAdded, taskEnd } from '../../runtime/metrics/event-log-fixtures';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let admin: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'sparkplane-http-measure-'));

async function runToEnd(appId: string, end: 'COMPLETED' | 'RUNNING'): Promise<void> {
  const answer = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers: admin,
    payload: { clusterId: 'local', jobId: 'measured-job', appId },
  });
  expect(answer.statusCode).toBe(201);
  await f.applications.idle();
  f.backend.emit(appId, { state: 'RUNNING', startedAt: '2026-03-01T00:00:01.000Z' });
  if (end === 'COMPLETED') f.backend.emit(appId, { state: 'COMPLETED', endedAt: '2026-03-01T00:00:31.000Z' });
  await f.applications.idle();
}

const measure = (appId: string, headers = admin) =>
  f.server.inject({ method: 'POST', url: `/api/v1/applications/${appId}/measure`, headers });

beforeAll(async () => {
  f = await httpFixture({ storeUrl: `sqlite:${join(dir, 'store.db')}` });
  admin = bearer(f.adminSecret);
});
afterAll(async () => {
  await f.server.close();
});

describe('measuring an application again', () => {
  it('reads a log restored after the first read failed, and serves the new measurement', async () => {
    await runToEnd('restored', 'COMPLETED');
    const path = join(dir, 'restored-log');
    f.backend.eventLogs.set('restored', path);
    // the log is not there yet: the admin's first try says why
    const missing = await measure('restored');
    expect(missing.statusCode).toBe(200);
    expect(missing.json<Application>().measurement).toMatchObject({ state: 'failed', attempts: 1 });
    expect(missing.json<Application>().measurement?.reason).toContain(path);

    const t0 = Date.parse('2026-03-01T00:00:01.000Z');
    const lines = [
      appStart(t0, 'spark-restored'),
      executorAdded('1', 2, t0),
      taskEnd({ launchMs: t0 + 1000, finishMs: t0 + 2000, outputBytes: 777 }),
      appEnd(t0 + 30_000),
    ];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const answer = await measure('restored');
    expect(answer.statusCode).toBe(200);
    const app = answer.json<Application>();
    expect(app.measurement).toMatchObject({ state: 'measured', attempts: 1 });
    expect(app.metrics?.outputBytes).toBe(777);
    expect(app.metrics?.cost?.total).toBeGreaterThan(0);
    const read = await f.server.inject({ method: 'GET', url: '/api/v1/applications/restored', headers: admin });
    expect(read.json<Application>().measurement?.state).toBe('measured');
  });

  it('is for admins only', async () => {
    const reader = await f.token(['applications:read', 'applications:create', 'applications:kill']);
    const answer = await measure('restored', bearer(reader));
    expect(answer.statusCode).toBe(403);
    expect(answer.json<{ detail: string }>().detail).toMatch(/admin/);
  });

  it('answers 409 while the application runs and 404 for an unknown one', async () => {
    await runToEnd('still-running', 'RUNNING');
    const running = await measure('still-running');
    expect(running.statusCode).toBe(409);
    expect(running.json<{ detail: string }>().detail).toMatch(/still-running is RUNNING/);
    expect((await measure('no-such-app')).statusCode).toBe(404);
  });
});
