/**
 * GET /api/v1/applications/{appId}/timeline over real HTTP, with real event-log files written
 * while requests are made: an in-progress single file (a partial last line waits) renamed when the
 * run ends, and a rolling directory whose second file appears mid-run.
 */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationTimeline } from '../../runtime/domain/timeline';
import {
  appEnd,
  appStart,
  environment,
  executorAdded,
  jobEnd,
  jobStart,
  stageCompleted,
  stageExecutorMetrics,
  stageSubmitted,
  taskEnd,
} from '../../runtime/metrics/event-log-fixtures';
import { TimelineAccumulator } from '../../runtime/metrics/timeline-accumulator';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let base: string;
let admin: Record<string, string>;
let dir: string;

/** A run of two jobs on one executor of 2 cores: 12 lines. */
const LOG = [
  appStart(1000, 'local-1'),
  environment({ 'spark.master': 'local[2]', 'spark.driver.memory': '1g' }),
  executorAdded('driver', 2, 1000),
  jobStart(0, 1100, [0], 'load'),
  stageSubmitted(0, 1100, 2),
  taskEnd({
    stageId: 0,
    taskId: 0,
    executorId: 'driver',
    launchMs: 1100,
    finishMs: 1900,
    runTimeMs: 800,
    inputBytes: 1000,
  }),
  taskEnd({
    stageId: 0,
    taskId: 1,
    executorId: 'driver',
    launchMs: 1100,
    finishMs: 2100,
    runTimeMs: 1000,
    inputBytes: 2000,
    executorMetrics: { JVMHeapMemory: 300_000_000, JVMOffHeapMemory: 40_000_000 },
  }),
  stageCompleted(0, 0, undefined, 2200),
  jobEnd(0, 2200),
  jobStart(1, 2300, [1], 'write'),
  stageSubmitted(1, 2300, 1),
  taskEnd({
    stageId: 1,
    taskId: 2,
    executorId: 'driver',
    launchMs: 2300,
    finishMs: 3300,
    runTimeMs: 1000,
    outputBytes: 500,
    memorySpill: 10,
  }),
  stageExecutorMetrics('driver', { JVMHeapMemory: 400_000_000, ProcessTreePythonRSSMemory: 90_000_000 }),
  stageCompleted(1, 0, undefined, 3400),
  jobEnd(1, 3400),
  appEnd(3500),
];

async function get(path: string, headers = admin): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

async function timeline(appId: string): Promise<ApplicationTimeline> {
  const answer = await get(`/api/v1/applications/${appId}/timeline`);
  expect(answer.status).toBe(200);
  return answer.body as ApplicationTimeline;
}

async function run(appId: string, jobId = 'timeline-job'): Promise<void> {
  const response = await fetch(`${base}/api/v1/applications`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ clusterId: 'local', jobId, appId }),
  });
  expect(response.status).toBe(201);
  await f.applications.idle();
  f.backend.emit(appId, { state: 'RUNNING', startedAt: '2026-03-01T00:00:01.000Z' });
  await f.applications.idle();
}

async function end(appId: string): Promise<void> {
  f.backend.emit(appId, { state: 'COMPLETED', endedAt: '2026-03-01T00:01:00.000Z' });
  await f.applications.idle();
}

const whole = (lines: readonly string[]) => {
  const acc = new TimelineAccumulator();
  for (const line of lines) acc.addLine(line);
  return acc.result();
};

beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
  await f.server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-timeline-'));
});
afterAll(async () => {
  await f.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /applications/{appId}/timeline', () => {
  it('follows a single in-progress log line by line, then reads it final once renamed', async () => {
    await run('live-run');
    const live = join(dir, 'local-1.inprogress');
    f.backend.eventLogs.set('live-run', live);

    const none = await get('/api/v1/applications/live-run/timeline');
    expect(none.status).toBe(404);
    expect((none.body as { detail: string }).detail).toBe(
      'application live-run has no event log yet: Spark writes it once the driver starts (the application is RUNNING)',
    );

    // five lines and half of the sixth (a task end): the cut line waits
    const sixth = LOG[5]!;
    writeFileSync(live, `${LOG.slice(0, 5).join('\n')}\n${sixth.slice(0, 120)}`);
    const first = await timeline('live-run');
    expect(first).toMatchObject({ appId: 'live-run', sparkAppId: 'local-1', live: true, startedAt: 1000 });
    expect(first.endedAt).toBeUndefined();
    expect(first.jobs).toEqual([expect.objectContaining({ jobId: 0, result: 'running' })]);
    expect(first.stages).toEqual([expect.objectContaining({ stageId: 0, status: 'active', completedTasks: 0 })]);

    appendFileSync(live, `${sixth.slice(120)}\n${LOG.slice(6, 11).join('\n')}\n`);
    const second = await timeline('live-run');
    expect(second.live).toBe(true);
    expect(second.jobs.map((j) => j.result)).toEqual(['succeeded', 'running']);
    expect(second.stages[0]).toMatchObject({ status: 'complete', completedTasks: 2, inputBytes: 3000 });
    expect(second.stages).toHaveLength(2);
    // asked again with nothing new: nothing counted twice
    expect((await timeline('live-run')).stages[0]!.completedTasks).toBe(2);

    appendFileSync(live, `${LOG.slice(11).join('\n')}\n`);
    renameSync(live, join(dir, 'local-1'));
    f.backend.eventLogs.set('live-run', join(dir, 'local-1'));
    await end('live-run');
    const final = await timeline('live-run');
    const { appId, live: isLive, asOf, ...rest } = final;
    expect({ appId, isLive }).toEqual({ appId: 'live-run', isLive: false });
    expect(rest).toEqual(whole(LOG));
    expect(final.endedAt).toBe(3500);
    expect(final.executors[0]!.peaks).toMatchObject({ jvmHeapBytes: 400_000_000, pythonBytes: 90_000_000 });
    expect(final.problems.map((p) => p.kind)).toEqual(['spill']);

    // an ended run's timeline is kept: a later change of the file is not read again
    appendFileSync(join(dir, 'local-1'), `${jobStart(9, 4000, [9])}\n`);
    expect((await timeline('live-run')).asOf).toBe(asOf);
  });

  it('follows a rolling log over its files and its status marker', async () => {
    await run('rolling-run');
    const rolling = join(dir, 'eventlog_v2_local-2');
    mkdirSync(rolling);
    writeFileSync(join(rolling, 'appstatus_local-2.inprogress'), '');
    writeFileSync(join(rolling, 'events_1_local-2'), `${LOG.slice(0, 8).join('\n')}\n`);
    f.backend.eventLogs.set('rolling-run', rolling);
    const first = await timeline('rolling-run');
    expect(first.live).toBe(true);
    expect(first.stages).toHaveLength(1);

    writeFileSync(join(rolling, 'events_2_local-2'), `${LOG.slice(8, 12).join('\n')}\n`);
    expect((await timeline('rolling-run')).stages.map((s) => s.completedTasks)).toEqual([2, 1]);

    appendFileSync(join(rolling, 'events_2_local-2'), `${LOG.slice(12).join('\n')}\n`);
    renameSync(join(rolling, 'appstatus_local-2.inprogress'), join(rolling, 'appstatus_local-2'));
    const final = await timeline('rolling-run');
    expect(final.live).toBe(false);
    expect(final.jobs).toEqual(whole(LOG).jobs);
  });

  it('answers 404, as GET /applications/{appId} does, to a token that may not see the application', async () => {
    const other = bearer(await f.token(['applications:read'], { jobIds: ['another-job'] }));
    const app = await get('/api/v1/applications/live-run', other);
    const answer = await get('/api/v1/applications/live-run/timeline', other);
    expect(app.status).toBe(404);
    expect(answer.status).toBe(404);
    expect((answer.body as { code: string }).code).toBe('RESOURCE_NOT_FOUND');
    expect((await get('/api/v1/applications/live-run/timeline', {})).status).toBe(401);
  });
});
