import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readRunMetrics } from '../adapters/eventlog/read-event-log';
import type { Application } from '../domain/application';
import { noTelemetry, silentLogger } from '../domain/ports';
import { appEnd, appStart, environment, executorAdded, taskEnd } from '../metrics/event-log-fixtures';
import { parsePriceTable } from '../metrics/cost';
import { FakeBackend } from '../../test/support/fake-backend';
import { MemoryStore } from '../../test/support/memory-store';
import { Measurer } from './measure';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let dir: string;
let store: MemoryStore;
let backend: FakeBackend;
let reads: string[];

function measurer(retryDelaysMs: number[] = []) {
  return new Measurer({
    store,
    backendOf: () => backend,
    readEventLog: (path, options) => {
      reads.push(path);
      return readRunMetrics(path, options);
    },
    priceTable: parsePriceTable(undefined),
    logger: silentLogger,
    telemetry: noTelemetry,
    clock: { now: () => new Date(T0 + 3_600_000) },
    retryDelaysMs,
  });
}

async function ended(id: string, overrides: Partial<Application> = {}): Promise<Application> {
  const app: Application = {
    id,
    clusterId: 'local',
    jobId: 'job',
    state: 'COMPLETED',
    submissionSource: 'api',
    configOverrides: {},
    config: { driver: { cores: 1, memory: '1g' }, executor: { instances: 2, cores: 2, memory: '2g' } },
    provenance: {},
    createdAt: at(0),
    updatedAt: at(60),
    startedAt: at(0),
    endedAt: at(60),
    ...overrides,
  };
  await store.insertApplication(app);
  return app;
}

/** A log of 10 s with two 2-core executors; `complete: false` leaves out the application end. */
function writeLog(id: string, complete = true): string {
  const lines = [
    appStart(T0 + 1_000, `spark-${id}`),
    environment({ 'spark.executor.memory': '2g', 'spark.driver.memory': '1g' }),
    executorAdded('1', 2, T0 + 1_000),
    executorAdded('2', 2, T0 + 1_000),
    taskEnd({ launchMs: T0 + 2_000, finishMs: T0 + 5_000, runTimeMs: 3_000, inputBytes: 4096 }),
    ...(complete ? [appEnd(T0 + 11_000)] : []),
  ];
  const path = join(dir, id);
  writeFileSync(path, `${lines.join('\n')}\n`);
  backend.eventLogs.set(id, path);
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-measure-'));
  store = new MemoryStore();
  backend = new FakeBackend();
  reads = [];
});

describe('measuring an ended application', () => {
  it('stores the metrics of a complete log as measured', async () => {
    const app = await ended('complete');
    writeLog('complete');
    await measurer().onEnded(app);
    const stored = (await store.getApplication('complete'))!;
    expect(stored.measurement).toMatchObject({ state: 'measured', attempts: 1 });
    expect(stored.measurement?.reason).toBeUndefined();
    expect(stored.metrics?.durationMs).toBe(10_000);
    expect(stored.metrics?.inputBytes).toBe(4096);
    expect(stored.metrics?.cost?.method).not.toMatch(/estimated/);
  });

  it('skips an application that never started, without reading anything', async () => {
    const app = await ended('refused', { state: 'FAILED', startedAt: undefined });
    await measurer().onEnded(app);
    const stored = (await store.getApplication('refused'))!;
    expect(stored.measurement).toMatchObject({ state: 'skipped', attempts: 0 });
    expect(stored.measurement?.reason).toMatch(/never started/);
    expect(stored.metrics).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('prices a log cut before the run ended from the wall time and the requested resources', async () => {
    // killed after 60 s; its log stops at 5 s, with no application end
    const app = await ended('killed', { state: 'KILLED' });
    writeLog('killed', false);
    await measurer().onEnded(app);
    const stored = (await store.getApplication('killed'))!;
    expect(stored.measurement?.state).toBe('estimated');
    expect(stored.measurement?.reason).toMatch(/wall time/);
    expect(stored.metrics?.incomplete).toBe(true);
    expect(stored.metrics?.durationMs).toBe(60_000);
    // 2 executors x 2 cores held for 60 s
    expect(stored.metrics?.executorCoreSeconds).toBe(240);
    expect(stored.metrics?.cost?.method).toMatch(/^estimated from the run's wall time/);
    const complete = await ended('complete');
    writeLog('complete');
    await measurer().onEnded(complete);
    // the killed run held its resources six times longer than the complete run's log says it ran
    expect(stored.metrics!.cost!.total).toBeGreaterThan((await store.getApplication('complete'))!.metrics!.cost!.total);
  });

  it('keeps the log figures of a cut log that covers the whole wall time, flagged as estimated', async () => {
    const app = await ended('short-wall', { endedAt: at(3) });
    writeLog('short-wall', false);
    await measurer().onEnded(app);
    const stored = (await store.getApplication('short-wall'))!;
    // a cut log may miss its last tasks: never reported as a complete measurement
    expect(stored.measurement?.state).toBe('estimated');
    expect(stored.measurement?.reason).toMatch(/cut before its end/);
    expect(stored.metrics?.incomplete).toBe(true);
    expect(stored.metrics?.cost?.method).not.toMatch(/wall time/);
  });

  it('records a failed read with its cause when there is no retry left', async () => {
    const app = await ended('missing');
    backend.eventLogs.set('missing', join(dir, 'no-such-log'));
    await measurer().onEnded(app);
    const stored = (await store.getApplication('missing'))!;
    expect(stored.measurement).toMatchObject({ state: 'failed', attempts: 1 });
    expect(stored.measurement?.reason).toContain(join(dir, 'no-such-log'));
    expect(stored.metrics).toBeUndefined();
  });

  it('says so when the back-end knows no event log', async () => {
    const app = await ended('nowhere');
    await measurer().onEnded(app);
    expect((await store.getApplication('nowhere'))!.measurement).toMatchObject({ state: 'failed' });
    expect((await store.getApplication('nowhere'))!.measurement?.reason).toMatch(/cluster local/);
  });

  it('retries a failed read after the delay, pending in between, and measures once the log appears', async () => {
    const app = await ended('late');
    backend.eventLogs.set('late', join(dir, 'late'));
    const m = measurer([30]);
    await m.onEnded(app);
    const pending = (await store.getApplication('late'))!;
    expect(pending.measurement).toMatchObject({ state: 'pending', attempts: 1 });
    expect(pending.measurement?.reason).toMatch(/trying again/);
    writeLog('late');
    await expect
      .poll(async () => (await store.getApplication('late'))!.measurement?.state, { timeout: 5_000 })
      .toBe('measured');
    expect((await store.getApplication('late'))!.measurement?.attempts).toBe(2);
    m.close();
  });

  it('after a restart, measures what ended unmeasured or was waiting for a retry', async () => {
    await ended('unmeasured');
    writeLog('unmeasured');
    await ended('waiting', { measurement: { state: 'pending', attempts: 2, reason: 'read 2 failed' } });
    writeLog('waiting');
    await ended('done', { measurement: { state: 'measured', attempts: 1 } });
    await ended('running', { state: 'RUNNING', endedAt: undefined });
    expect(await measurer().resumePending()).toBe(2);
    expect((await store.getApplication('unmeasured'))!.measurement).toMatchObject({ state: 'measured', attempts: 1 });
    expect((await store.getApplication('waiting'))!.measurement).toMatchObject({ state: 'measured', attempts: 3 });
    expect((await store.getApplication('running'))!.measurement).toBeUndefined();
    expect(reads.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['unmeasured', 'waiting']);
  });

  it('measures again on request, and refuses an application that has not ended', async () => {
    await ended('again', { measurement: { state: 'failed', attempts: 5, reason: 'was missing' } });
    writeLog('again');
    const m = measurer();
    const measured = await m.remeasure('again');
    expect(measured.measurement).toMatchObject({ state: 'measured', attempts: 1 });
    await ended('live', { state: 'RUNNING', endedAt: undefined });
    await expect(m.remeasure('live')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(m.remeasure('nope')).rejects.toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
  });
});
