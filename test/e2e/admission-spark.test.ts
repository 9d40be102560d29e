/**
 * Admission end to end on real Spark: on a local cluster with a capacity of 2 cores, four one-core
 * applications of two jobs (one with concurrency Forbid), submitted one after the other, are all
 * acknowledged at once, run at most two at a time, the others PENDING with their reason meanwhile,
 * and all complete; the Forbid job's two runs never overlap.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { Page } from '../../runtime/domain/common';
import { sparkEnv, waitFor, writeScript } from '../support/spark';
import { call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv(); // fails first, naming what is missing, when the Spark environment is not loaded

let service: Service;
let apps: Application[] = [];
/** The applications seen RUNNING together, sampled while the four run. */
let mostRunningAtOnce = 0;
/** Every pending reason seen, per application. */
const reasonsSeen = new Map<string, Set<string>>();

beforeAll(async () => {
  service = await startService({ localSettings: { capacity: { cores: 2, memory: '16g' } } });
  const script = writeScript(
    join(service.dataDir, 'scripts'),
    'tiny.py',
    [
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'print(spark.range(100).count())',
    ].join('\n'),
  );
  const put = await call(service.url, 'PUT', '/api/v1/jobs/adm-forbid/config', {
    body: { id: 'adm-forbid', clusterId: 'local', concurrencyPolicy: 'Forbid' },
  });
  expect(put.status, put.text).toBe(200);
  // local[1] each: one core
  const configOverrides = {
    type: 'Python',
    mainApplicationFile: script,
    driver: { cores: 1, memory: '512m' },
    executor: { instances: 0 },
  };
  for (const jobId of ['adm-a', 'adm-a', 'adm-forbid', 'adm-forbid']) {
    const response = await call<Application>(service.url, 'POST', '/api/v1/applications', {
      body: { clusterId: 'local', jobId, configOverrides },
    });
    expect(response.status, response.text).toBe(201);
    apps.push(response.body);
  }
  const ids = new Set(apps.map((a) => a.id));
  await waitFor(
    'the four applications to end',
    async () => {
      const page = (await call<Page<Application>>(service.url, 'GET', '/api/v1/applications?jobId=adm-a&limit=10'))
        .body;
      const forbid = (
        await call<Page<Application>>(service.url, 'GET', '/api/v1/applications?jobId=adm-forbid&limit=10')
      ).body;
      const mine = [...page.items, ...forbid.items].filter((a) => ids.has(a.id));
      mostRunningAtOnce = Math.max(mostRunningAtOnce, mine.filter((a) => a.state === 'RUNNING').length);
      for (const a of mine)
        if (a.pendingReason) reasonsSeen.set(a.id, (reasonsSeen.get(a.id) ?? new Set()).add(a.pendingReason));
      return mine.every((a) =>
        ['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'KILLED', 'TIMED_OUT'].includes(a.state),
      );
    },
    480_000,
  );
  apps = await Promise.all(apps.map((a) => waitForEnd(service.url, a.id)));
}, 600_000);

afterAll(async () => {
  await service?.close();
});

describe('admission on real Spark, 2 cores', () => {
  it('acknowledged every submission at once and completed them all', () => {
    expect(apps.map((a) => a.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    for (const app of apps) expect(app.admittedAt).toBeDefined();
  });

  it('never ran more than 2 one-core applications at once', () => {
    expect(mostRunningAtOnce).toBeGreaterThanOrEqual(1);
    expect(mostRunningAtOnce).toBeLessThanOrEqual(2);
    // from the recorded times as well: at each start, what had started and not yet ended
    for (const app of apps) {
      const at = Date.parse(app.startedAt!);
      const overlapping = apps.filter((o) => Date.parse(o.startedAt!) <= at && Date.parse(o.endedAt!) > at);
      expect(overlapping.length, `at the start of ${app.id}`).toBeLessThanOrEqual(2);
    }
  });

  it('showed why the others waited while they did', () => {
    const [a1, a2, f1, f2] = apps;
    // submitted one after the other: the first two start, the third waits for room, the fourth for the third
    expect(reasonsSeen.has(a1!.id)).toBe(false);
    expect(reasonsSeen.has(a2!.id)).toBe(false);
    expect([...(reasonsSeen.get(f1!.id) ?? [])]).toEqual(['cluster local: 2/2 cores in use, needs 1']);
    const forbid = [...(reasonsSeen.get(f2!.id) ?? [])];
    expect(forbid.length).toBeGreaterThan(0);
    for (const reason of forbid) {
      expect([
        `job adm-forbid: concurrency Forbid, run ${f1!.id} queued ahead`,
        `job adm-forbid: concurrency Forbid, run ${f1!.id} active`,
      ]).toContain(reason);
    }
  });

  it('never overlapped the two runs of the Forbid job', () => {
    const [, , f1, f2] = apps;
    expect(Date.parse(f2!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(f1!.endedAt!));
  });
});
