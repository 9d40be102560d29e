/**
 * Schedules in the running runtime: a job put through the API with a schedule is fired by the
 * runtime's scheduler (real timers, the SQLite store), at once after the change, as submissions
 * whose source is "schedule".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { fakeBackendPlugin } from '../support/fake-backend';

const token = 'scheduler-test-admin-token-0123456789';
let dataDir: string;
let runtime: Runtime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-scheduler-'));
  runtime = await buildRuntime(ServiceConfig.parse({ dataDir, port: 0, adminToken: token }), {
    plugins: [fakeBackendPlugin()],
    logger: pino({ level: 'warn' }),
  });
  await runtime.tokens.ensureAdminToken(token);
  runtime.scheduler.start();
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api<T>(method: 'GET' | 'PUT', url: string, payload?: unknown): Promise<T> {
  const response = await runtime.server.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<T>();
}

describe('the runtime scheduler', () => {
  it('fires a schedule put through the API, one run at a time under Forbid', async () => {
    await api('PUT', '/api/v1/jobs/every-second/config', {
      id: 'every-second',
      clusterId: 'local',
      config: { type: 'Python', mainApplicationFile: 'local:///job.py' },
      schedule: { cron: '* * * * * *' },
      concurrencyPolicy: 'Forbid',
    });
    let runs: Application[] = [];
    for (let waited = 0; runs.length === 0 && waited < 100; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = (await api<{ items: Application[] }>('GET', '/api/v1/applications?jobId=every-second')).items;
    }
    expect(runs.map((app) => app.submissionSource)).toEqual(['schedule']);
    expect(runs[0]?.id).toMatch(/^every-second-[0-9a-z]{9}-cron$/);
    expect(runs[0]?.config.mainApplicationFile).toBe('local:///job.py');

    // the run never ends (the back-end reports nothing): later instants are skipped
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const later = (await api<{ items: Application[] }>('GET', '/api/v1/applications?jobId=every-second')).items;
    expect(later.map((app) => app.id)).toEqual([runs[0]?.id]);
  });
});
