/** Job statistics (issue 4) and the tuning recommendation (issue 7) through the native API. */
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

function metrics(durationMs: number, inputBytes: number, cost: number): RunMetrics {
  return {
    ...emptyRunMetrics(),
    durationMs,
    executorCoreSeconds: durationMs / 250,
    inputBytes,
    inputRecords: 1000,
    outputBytes: inputBytes / 10,
    outputRecords: 10,
    peakJvmMemoryBytes: 900 * 1024 * 1024,
    executorRunTimeMs: durationMs * 2,
    executorCpuTimeMs: durationMs,
    jvmGcTimeMs: 10,
    gcTimeShare: 0.01,
    efficiency: 0.5,
    cpuUtilization: 0.4,
    tasks: { completed: 8, failed: 0, killed: 0 },
    stages: { completed: 2, failed: 0 },
    cost: { total: cost, currency: 'USD', method: 'test' },
  };
}

async function finishedRun(durationMs: number, inputBytes: number, cost: number): Promise<string> {
  const headers = bearer(f.adminSecret);
  const submitted = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers,
    payload: {
      clusterId: 'local',
      jobId: 'nightly',
      configOverrides: { executor: { instances: 2, cores: 2, memory: '4g' } },
    },
  });
  const id = submitted.json().id as string;
  await f.applications.idle();
  await f.store.updateApplication(id, {
    state: 'COMPLETED',
    startedAt: new Date(Date.parse('2026-03-01T00:00:00Z')).toISOString(),
    endedAt: new Date(Date.parse('2026-03-01T00:00:00Z') + durationMs).toISOString(),
    metrics: metrics(durationMs, inputBytes, cost),
  });
  return id;
}

describe('job insights', () => {
  it('serves the medians of the last runs and the series of all runs', async () => {
    await finishedRun(60_000, 1e9, 0.3);
    await finishedRun(20_000, 3e9, 0.1);
    await finishedRun(40_000, 2e9, 0.2);
    const response = await f.server.inject({
      method: 'GET',
      url: '/api/v1/jobs/nightly/statistics',
      headers: bearer(f.adminSecret),
    });
    expect(response.statusCode).toBe(200);
    const stats = response.json();
    expect(stats.medians).toMatchObject({ durationMs: 40_000, inputBytes: 2e9, cost: 0.2, efficiency: 0.5 });
    expect(stats.series).toHaveLength(3);
  });

  it('explains what tuning would change for the next run, each change with its reason', async () => {
    await finishedRun(60_000, 1e9, 0.3);
    const job = await f.server.inject({
      method: 'GET',
      url: '/api/v1/jobs/nightly/recommendation',
      headers: bearer(f.adminSecret),
    });
    expect(job.statusCode).toBe(200);
    const recommendation = job.json();
    expect(recommendation.mode).toBe('auto');
    expect(Array.isArray(recommendation.changes)).toBe(true);
    for (const change of recommendation.changes) expect(change.reason).toEqual(expect.any(String));
    const unknown = await f.server.inject({
      method: 'GET',
      url: '/api/v1/jobs/nope/statistics',
      headers: bearer(f.adminSecret),
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('job tuning history', () => {
  it('marks what changed in each run, what tuning saved against the first run and the best config', async () => {
    // runs end in order of their durations (see finishedRun)
    const first = await finishedRun(20_000, 1e9, 0.3);
    await f.server.inject({
      method: 'PUT',
      url: '/api/v1/jobs/nightly/config',
      headers: bearer(f.adminSecret),
      payload: { id: 'nightly', clusterId: 'local', config: { sparkConf: { 'spark.sql.shuffle.partitions': '64' } } },
    });
    f.clock.advance(1000);
    const second = await finishedRun(60_000, 1e9, 0.1);
    const stats = (
      await f.server.inject({ method: 'GET', url: '/api/v1/jobs/nightly/statistics', headers: bearer(f.adminSecret) })
    ).json();
    expect(stats.series.map((p: { appId: string }) => p.appId)).toEqual([first, second]);
    expect(stats.series[0].configChanges).toEqual([]);
    expect(stats.series[1].configChanges).toContainEqual({
      pointer: '/sparkConf/spark.sql.shuffle.partitions',
      to: '64',
      layer: 'job',
    });
    expect(stats.savings).toMatchObject({ baselineAppId: first, runs: 1 });
    expect(stats.savings.cost).toBeCloseTo(0.2, 9);
    expect(stats.bestRun).toMatchObject({ appId: second, cost: 0.1 });
    expect(stats.bestRun.config.sparkConf).toEqual({ 'spark.sql.shuffle.partitions': '64' });
  });
});
