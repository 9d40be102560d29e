/**
 * Automatic tuning on real Spark (issue 7): a small shuffle job starts from an over-provisioned,
 * badly partitioned config template (8 cores, i.e. local[8], 400 shuffle partitions, adaptive
 * execution off) and runs 5 times through the service with tuning mode auto. Every run must give
 * the same result; tuning must change the config (provenance "tuning") and cut executor
 * core-seconds. Prints a table of the runs and what the tuner recommended before each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAppRecord, localAppPaths } from '../../runtime/adapters/local';
import { recommendationFor } from '../../runtime/apps/tuning-layer';
import type { Application } from '../../runtime/domain/application';
import type { RunMetrics } from '../../runtime/domain/metrics';
import { sparkEnv } from '../support/spark';
import { call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv();

const RUNS = 5;
const JOB = 'tuned-shuffle';
/** Rows and groups of examples/shuffle_aggregation.py: a few seconds of work, one real shuffle. */
const ARGUMENTS = ['1000000', '20000'];

interface RunRow {
  run: number;
  appId: string;
  master: string;
  coreSeconds: number;
  durationSeconds: number;
  cost: number;
  checksum: string | undefined;
  tuned: string[];
  recommended: string[];
}

let service: Service;
const rows: RunRow[] = [];

beforeAll(async () => {
  // room for the over-provisioned start: 8 cores' worth of executors on this (2-core) machine
  service = await startService({ localSettings: { maxParallelism: 8 } });
  const template = await call(service.url, 'POST', '/api/v1/clusters/local/templates', {
    body: {
      id: 'overprovisioned',
      config: {
        // one executor of 8 cores runs as local[8]: one JVM, so run 1 stays affordable on 2 cores
        executor: { instances: 1, cores: 8, memory: '1g' },
        sparkConf: { 'spark.sql.shuffle.partitions': '400', 'spark.sql.adaptive.enabled': 'false' },
      },
    },
  });
  expect(template.status, template.text).toBe(201);
  const job = await call(service.url, 'PUT', `/api/v1/jobs/${JOB}/config`, {
    body: {
      id: JOB,
      clusterId: 'local',
      configTemplateId: 'overprovisioned',
      tuning: { mode: 'auto', objective: 'cost' },
    },
  });
  expect(job.status, job.text).toBe(200);
});

afterAll(async () => {
  await service?.close();
});

async function runOnce(run: number): Promise<RunRow> {
  const storedJob = await service.runtime.store.getJob(JOB);
  const recommendation = await recommendationFor(service.runtime.store, storedJob!);
  const submitted = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: {
      clusterId: 'local',
      jobId: JOB,
      configOverrides: {
        type: 'Python',
        mainApplicationFile: 'examples://shuffle_aggregation.py',
        arguments: ARGUMENTS,
      },
    },
  });
  expect(submitted.status, submitted.text).toBe(201);
  const app = await waitForEnd(service.url, submitted.body.id, 600_000);
  expect(app.state, app.stateReason).toBe('COMPLETED');
  const metrics = app.metrics as unknown as RunMetrics;
  const log = await call(service.url, 'GET', `/api/v1/applications/${app.id}/log`);
  const record = JSON.parse(readFileSync(localAppPaths(service.dataDir, app.id).stateFile, 'utf8')) as LocalAppRecord;
  return {
    run,
    appId: app.id,
    master: record.master,
    coreSeconds: metrics.executorCoreSeconds,
    durationSeconds: metrics.durationMs / 1000,
    cost: metrics.cost?.total ?? 0,
    checksum: /^checksum=(\d+)$/m.exec(log.text)?.[1],
    tuned: Object.entries(app.provenance)
      .filter(([, layer]) => layer === 'tuning')
      .map(([pointer]) => pointer),
    recommended: recommendation.applied
      ? recommendation.changes.map((c) => `${c.pointer} ${String(c.from)} -> ${String(c.to)}: ${c.reason}`)
      : recommendation.notes,
  };
}

function report(): string {
  const lines = ['run  master                      core-s  duration-s  cost      checksum'];
  for (const r of rows) {
    lines.push(
      `${String(r.run).padEnd(4)} ${r.master.padEnd(27)} ${r.coreSeconds.toFixed(1).padStart(6)}  ${r.durationSeconds
        .toFixed(1)
        .padStart(10)}  ${r.cost.toFixed(6)}  ${r.checksum}`,
    );
    for (const change of r.recommended) lines.push(`       before run ${r.run}: ${change}`);
  }
  return lines.join('\n');
}

describe('automatic tuning of a job on real Spark', () => {
  it(`runs an over-provisioned shuffle job ${RUNS} times: same result, fewer core-seconds`, async () => {
    try {
      for (let run = 1; run <= RUNS; run++) rows.push(await runOnce(run));
    } finally {
      console.warn(`tuning on real Spark (${JOB}, arguments ${ARGUMENTS.join(' ')}):\n${report()}`);
    }
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;

    expect(first.checksum).toMatch(/^\d+$/);
    expect(new Set(rows.map((r) => r.checksum)).size).toBe(1);
    expect(first.tuned).toEqual([]);
    // from run 2 on, every run uses tuned values (a run without changes keeps the earlier ones), and says so
    expect(rows.slice(1).map((r) => r.tuned.length > 0)).toEqual(rows.slice(1).map(() => true));
    expect(last.master).not.toBe(first.master);
    // the target: at least 30% fewer executor core-seconds by the last run
    expect(last.coreSeconds).toBeLessThanOrEqual(first.coreSeconds * 0.7);
  }, 1_800_000);
});
