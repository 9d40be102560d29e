/** tuning.pin through the native API (issue 16): validated paths, and the recommendation's held knobs. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyRunMetrics, type RunMetrics } from '../../runtime/domain/metrics';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
beforeEach(async () => {
  f = await httpFixture();
});
afterEach(async () => {
  await f.server.close();
});

const GIB = 1024 ** 3;
const idle: RunMetrics = {
  ...emptyRunMetrics(),
  durationMs: 600_000,
  executorCoreSeconds: 24_000,
  inputBytes: 20 * GIB,
  inputRecords: 1e8,
  peakJvmMemoryBytes: 3 * GIB,
  executorRunTimeMs: 4_000_000,
  efficiency: 0.15,
  tasks: { completed: 400, failed: 0, killed: 0 },
  stages: { completed: 2, failed: 0 },
  cost: { total: 2, currency: 'USD', method: 'test' },
};

async function putJob(tuning: Record<string, unknown>) {
  return f.server.inject({
    method: 'PUT',
    url: '/api/v1/jobs/sized/config',
    headers: bearer(f.adminSecret),
    payload: {
      id: 'sized',
      clusterId: 'local',
      config: { executor: { instances: 40, cores: 4, memory: '16g' } },
      tuning: { mode: 'auto', objective: 'cost', ...tuning },
    },
  });
}

async function recommendationAfterOneRun() {
  const submitted = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers: bearer(f.adminSecret),
    payload: { clusterId: 'local', jobId: 'sized' },
  });
  const id = submitted.json().id as string;
  await f.applications.idle();
  await f.store.updateApplication(id, { state: 'COMPLETED', metrics: { ...idle, sparkAppId: id } });
  const response = await f.server.inject({
    method: 'GET',
    url: '/api/v1/jobs/sized/recommendation',
    headers: bearer(f.adminSecret),
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('tuning.pin', () => {
  it('refuses a pin the config schema does not have with a 400 naming the field and the path', async () => {
    const response = await putJob({ pin: ['executor.memory', 'executor.memry'] });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('tuning.pin[1]: \\"executor.memry\\" is not a config path');
  });

  it('holds the job values of a job without pins, saying so per knob', async () => {
    expect((await putJob({})).statusCode).toBe(200);
    const rec = await recommendationAfterOneRun();
    expect(rec.changes.map((c: { pointer: string }) => c.pointer)).not.toContain('/executor/instances');
    expect(rec.held).toContainEqual(
      expect.objectContaining({ pointer: '/executor/instances', why: 'pinned', value: 40 }),
    );
  });

  it('tunes the job values a job does not pin, and holds the pinned one', async () => {
    expect((await putJob({ pin: ['executor.cores'] })).statusCode).toBe(200);
    const rec = await recommendationAfterOneRun();
    const pointers = rec.changes.map((c: { pointer: string }) => c.pointer);
    expect(pointers).toContain('/executor/instances');
    expect(pointers).not.toContain('/executor/cores');
    expect(rec.held).toContainEqual(
      expect.objectContaining({
        pointer: '/executor/cores',
        why: 'pinned',
        reason: expect.stringContaining('tuning.pin executor.cores'),
      }),
    );
  });
});
