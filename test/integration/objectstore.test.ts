/**
 * Event logs in S3: a real Spark 4 log (rolling, zstd) and fixture logs uploaded to a fake S3
 * server over real HTTP, read through s3a:// URLs with the AWS SDK, must give the metrics the
 * local reader gives on the same files.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunMetrics } from '../../runtime/adapters/eventlog/read-event-log';
import { eventLogDir } from '../../runtime/adapters/k8s';
import { KubernetesClusterSettings } from '../../runtime/adapters/k8s/cluster-settings';
import {
  createEventLogReader,
  EventLogNotFoundError,
  GcsObjectStore,
  locateObjectEventLog,
  ObjectStoreError,
  readObjectRunMetrics,
  S3ObjectStore,
} from '../../runtime/adapters/objectstore';
import { appEnd, appStart, executorAdded, stageCompleted, taskEnd } from '../../runtime/metrics/event-log-fixtures';
import { type Logger, noTelemetry } from '../../runtime/domain/ports';
import { Measurer } from '../../runtime/apps/measure';
import type { RunMetrics } from '../../runtime/domain/metrics';
import { parsePriceTable } from '../../runtime/metrics/cost';
import { FakeBackend } from '../support/fake-backend';
import { type FakeGcs, startFakeGcs } from '../support/fake-gcs';
import { type FakeS3, startFakeS3 } from '../support/fake-s3';
import { runSparkApp } from '../support/history-server';
import { MemoryStore } from '../support/memory-store';
import { testApplication } from '../support/spark';

const TINY_APP = `
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("objectstore-tiny").getOrCreate()
spark.range(0, 5000, 1, 2).selectExpr("id % 7 as k").groupBy("k").count().collect()
spark.stop()
`;

const BUCKET = 'logs';
const PAGE_SIZE = 3;
let s3: FakeS3;
let store: S3ObjectStore;
let gcs: FakeGcs;
let work: string;
/** The real Spark run: its eventlog_v2_* directory on local disk. */
let sparkLog: string;
let sparkAppId: string;
let submittedAtMs: number;

/** A rolling log of 12 uncompressed parts, one task per part, written the way Spark names them. */
function writeFixtureRollingLog(dir: string, id: string, complete: boolean): string {
  const log = join(dir, `eventlog_v2_${id}`);
  mkdirSync(log, { recursive: true });
  for (let part = 1; part <= 12; part++) {
    const lines = [
      ...(part === 1 ? [appStart(1_000, id), executorAdded('1', 2, 1_000)] : []),
      taskEnd({ taskId: part, runTimeMs: part * 10, launchMs: 1_000 + part, finishMs: 2_000 + part }),
      ...(part === 12 ? [stageCompleted(0), appEnd(60_000)] : []),
    ];
    writeFileSync(join(log, `events_${part}_${id}`), lines.join('\n') + '\n');
  }
  writeFileSync(join(log, `appstatus_${id}${complete ? '' : '.inprogress'}`), '');
  return log;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sparkplane-objectstore-'));
  // Spark 4 defaults: spark.eventLog.compress=true with zstd, rolling eventlog_v2_* directory
  const run = await runSparkApp(TINY_APP, join(work, 'spark'), { 'spark.eventLog.logStageExecutorMetrics': 'true' });
  sparkLog = run.eventLogPath;
  submittedAtMs = run.submittedAtMs;
  sparkAppId = sparkLog
    .split('/')
    .pop()!
    .replace(/^eventlog_v2_/, '');
  gcs = await startFakeGcs({ pageSize: PAGE_SIZE });
  gcs.createBucket(BUCKET);
  s3 = await startFakeS3({ pageSize: PAGE_SIZE });
  s3.createBucket(BUCKET);
  store = new S3ObjectStore({
    endpoint: s3.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' },
  });
}, 300_000);

afterAll(async () => {
  store?.close();
  await s3?.close();
  await gcs?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('event logs in S3', () => {
  it('gives the metrics of a real Spark 4 log (rolling, zstd) equal to the local read of the same files', async () => {
    expect(readdirSync(sparkLog).some((name) => /^events_1_.+\.zstd$/.test(name))).toBe(true);
    s3.putPath(BUCKET, `spark/eventlogs/app-real/eventlog_v2_${sparkAppId}`, sparkLog);
    const local = await readRunMetrics(sparkLog, { submittedAtMs });
    const remote = await readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/app-real', { submittedAtMs });
    expect(local.incomplete).toBe(false);
    expect(local.tasks.completed).toBeGreaterThan(0);
    expect(remote.sparkAppId).toBe(sparkAppId);
    expect(remote).toEqual(local);
    const gets = s3.requests.filter((r) => r.operation === 'GetObject').map((r) => r.key);
    expect(gets).toEqual([
      expect.stringMatching(new RegExp(`eventlog_v2_${sparkAppId}/events_1_${sparkAppId}\\.zstd$`)),
    ]);
  });

  it('reads the parts of a rolling log in index order across several listing pages', async () => {
    const local = writeFixtureRollingLog(join(work, 'fixtures'), 'app-20260101-0001', true);
    s3.putPath(BUCKET, 'spark/eventlogs/app-rolling/eventlog_v2_app-20260101-0001', local);
    const listsBefore = s3.requests.filter((r) => r.operation === 'ListObjectsV2').length;
    const location = await locateObjectEventLog(store, 's3a://logs/spark/eventlogs/app-rolling/');
    const lists = s3.requests.filter((r) => r.operation === 'ListObjectsV2').slice(listsBefore);
    // 13 objects, 3 a page: 5 pages, each after the first continuing the previous one
    expect(lists).toHaveLength(5);
    expect(lists.slice(1).every((r) => r.query['continuation-token'] !== undefined)).toBe(true);
    expect(location.kind).toBe('rolling');
    expect(location.inProgress).toBe(false);
    expect(location.files.map((f) => f.path.split('/').pop()!.split('_')[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
      '12',
    ]);
    expect(location.files[0]!.path).toBe(
      's3a://logs/spark/eventlogs/app-rolling/eventlog_v2_app-20260101-0001/events_1_app-20260101-0001',
    );
    const remote = await readRunMetrics(location, { submittedAtMs: 0 });
    expect(remote).toEqual(await readRunMetrics(local, { submittedAtMs: 0 }));
    expect(remote.tasks.completed).toBe(12);
    expect(remote.executorRunTimeMs).toBe(780);
  });

  it('reads a single-file log, and one still in progress as incomplete', async () => {
    const lines = [appStart(1_000, 'app-single'), taskEnd({ runTimeMs: 42 }), appEnd(9_000)].join('\n') + '\n';
    s3.put(BUCKET, 'spark/eventlogs/app-single/app-single', lines);
    const done = await readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/app-single');
    expect(done).toMatchObject({ sparkAppId: 'app-single', incomplete: false, executorRunTimeMs: 42 });
    s3.put(BUCKET, 'spark/eventlogs/app-running/app-running.inprogress', lines.split('\n')[0]! + '\n');
    const running = await readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/app-running');
    expect(running).toMatchObject({ sparkAppId: 'app-single', incomplete: true });
  });

  it('marks a log whose last object is cut mid-write incomplete, with the metrics before the cut', async () => {
    const events = readdirSync(sparkLog).find((name) => name.startsWith('events_'))!;
    const bytes = readFileSync(join(sparkLog, events));
    const prefix = `spark/eventlogs/app-cut/eventlog_v2_${sparkAppId}`;
    s3.putPath(BUCKET, prefix, sparkLog);
    s3.put(BUCKET, `${prefix}/${events}`, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const full = await readRunMetrics(sparkLog, { submittedAtMs });
    const cut = await readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/app-cut', { submittedAtMs });
    expect(cut.incomplete).toBe(true);
    expect(cut.sparkAppId).toBe(sparkAppId);
    expect(cut.tasks.completed).toBeLessThan(full.tasks.completed);
  });

  it('marks a rolling log whose status is still in progress incomplete', async () => {
    const local = writeFixtureRollingLog(join(work, 'fixtures'), 'app-20260101-0002', false);
    s3.putPath(BUCKET, 'spark/eventlogs/app-inprogress/eventlog_v2_app-20260101-0002', local);
    const metrics = await readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/app-inprogress');
    expect(metrics.incomplete).toBe(true);
    expect(metrics.tasks.completed).toBe(12);
  });

  it('names the URL when there is no log under the prefix, or no bucket', async () => {
    const missing = readObjectRunMetrics(store, 's3a://logs/spark/eventlogs/never-started');
    await expect(missing).rejects.toBeInstanceOf(EventLogNotFoundError);
    await expect(missing).rejects.toThrow(/no Spark event log at s3a:\/\/logs\/spark\/eventlogs\/never-started/);
    const noBucket = readObjectRunMetrics(store, 's3a://no-such-bucket/eventlogs/app-1');
    await expect(noBucket).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(noBucket).rejects.toThrow(/cannot list s3a:\/\/no-such-bucket\/eventlogs\/app-1: NoSuchBucket/);
  });

  it('dispatches by scheme: s3a:// and s3:// to S3, gs:// to GCS, local paths and file: URIs to disk', async () => {
    gcs.putPath(BUCKET, `spark/eventlogs/app-real/eventlog_v2_${sparkAppId}`, sparkLog);
    const reader = createEventLogReader({
      s3: {
        endpoint: s3.endpoint,
        region: 'eu-west-3',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' },
      },
      gcs: { apiEndpoint: gcs.endpoint },
    });
    try {
      const local = await reader.read(sparkLog, { submittedAtMs });
      expect(await reader.read(`file://${sparkLog}`, { submittedAtMs })).toEqual(local);
      expect(await reader.read('s3a://logs/spark/eventlogs/app-real', { submittedAtMs })).toEqual(local);
      expect(await reader.read('s3://logs/spark/eventlogs/app-real', { submittedAtMs })).toEqual(local);
      expect(await reader.read('gs://logs/spark/eventlogs/app-real', { submittedAtMs })).toEqual(local);
    } finally {
      reader.close();
    }
  });

  it('measures an ended application whose kubernetes back-end reports an s3a:// event log', async () => {
    const settings = KubernetesClusterSettings.parse({ eventLogBucketUrl: 's3a://logs/spark/' });
    // the run's rolling directory, in the one directory every run writes to and the History Server lists
    const url = eventLogDir(settings, sparkAppId)!;
    expect(url).toBe(`s3a://logs/spark/eventlogs/eventlog_v2_${sparkAppId}`);
    s3.putPath(BUCKET, `spark/eventlogs/eventlog_v2_${sparkAppId}`, sparkLog);
    const store = new MemoryStore();
    const app = testApplication(
      'etl-measured',
      {},
      {
        state: 'COMPLETED',
        createdAt: new Date(submittedAtMs).toISOString(),
        startedAt: new Date(submittedAtMs).toISOString(),
        endedAt: new Date(submittedAtMs + 1000).toISOString(),
      },
    );
    await store.insertApplication(app);
    const backend = new (class extends FakeBackend {
      override eventLogPath(): string | undefined {
        return url;
      }
    })();
    const reader = createEventLogReader({
      s3: { endpoint: s3.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' } },
    });
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_, message) => void warnings.push(message),
      error: (_, message) => void warnings.push(message),
    };
    try {
      await new Measurer({
        store,
        backendOf: () => backend,
        readEventLog: (path, options) => reader.read(path, options),
        priceTable: parsePriceTable(undefined),
        logger,
        telemetry: noTelemetry,
        clock: { now: () => new Date() },
      }).onEnded(app);
    } finally {
      reader.close();
    }
    const metrics = (await store.getApplication('etl-measured'))!.metrics as unknown as RunMetrics;
    const local = await readRunMetrics(sparkLog, { submittedAtMs });
    expect(warnings).toEqual([]);
    expect(metrics.sparkAppId).toBe(sparkAppId);
    expect(metrics.tasks).toEqual(local.tasks);
    expect(metrics.cost).toBeDefined();
    expect((await store.getApplication('etl-measured'))!.measurement?.state).toBe('measured');
  });
});

describe('event logs in Google Cloud Storage', () => {
  it('gives the metrics of the local read, listing page after page, and names a missing log or bucket', async () => {
    const gcsStore = new GcsObjectStore({ apiEndpoint: gcs.endpoint });
    const local = writeFixtureRollingLog(join(work, 'fixtures-gcs'), 'app-20260101-0003', true);
    gcs.putPath(BUCKET, 'eventlogs/app-gcs/eventlog_v2_app-20260101-0003', local);
    const before = gcs.requests.length;
    const remote = await readObjectRunMetrics(gcsStore, 'gs://logs/eventlogs/app-gcs', { submittedAtMs: 0 });
    expect(remote).toEqual(await readRunMetrics(local, { submittedAtMs: 0 }));
    expect(remote.tasks.completed).toBe(12);
    const requests = gcs.requests.slice(before);
    expect(requests.filter((r) => r.startsWith('list '))).toHaveLength(5);
    expect(requests.filter((r) => r.startsWith('get '))).toHaveLength(12);
    await expect(readObjectRunMetrics(gcsStore, 'gs://logs/eventlogs/never-started')).rejects.toThrow(
      /no Spark event log at gs:\/\/logs\/eventlogs\/never-started/,
    );
    await expect(readObjectRunMetrics(gcsStore, 'gs://no-such-bucket/eventlogs/app-1')).rejects.toThrow(
      /cannot list gs:\/\/no-such-bucket\/eventlogs\/app-1: .*The specified bucket does not exist/,
    );
  });

  it('marks a zstd log cut mid-object incomplete', async () => {
    const events = readdirSync(sparkLog).find((name) => name.startsWith('events_'))!;
    const bytes = readFileSync(join(sparkLog, events));
    const prefix = `eventlogs/app-gcs-cut/eventlog_v2_${sparkAppId}`;
    gcs.putPath(BUCKET, prefix, sparkLog);
    gcs.put(BUCKET, `${prefix}/${events}`, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const cut = await readObjectRunMetrics(
      new GcsObjectStore({ apiEndpoint: gcs.endpoint }),
      `gs://logs/eventlogs/app-gcs-cut`,
    );
    expect(cut.incomplete).toBe(true);
    expect(cut.sparkAppId).toBe(sparkAppId);
  });
});
