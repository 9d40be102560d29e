/**
 * Admission and recovery over a real store, SQLite then PostgreSQL: two replicas sharing one
 * database never admit past the capacity (the store's admission lock), and a runtime stopped
 * between recording FAILED and committing the retry commits it when it starts again (once). And
 * the runtime as built reads the event log as evidence of an out-of-memory failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/adapters/store/open-store';
import { ApplicationService } from '../../runtime/apps/application-service';
import type { Application } from '../../runtime/domain/application';
import type { Store } from '../../runtime/domain/ports';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';
import { ManualClock } from '../support/manual-clock';
import { createTestDatabase } from '../support/postgres';

const quiet = pino({ level: 'silent' });
const dataDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparkplane-admission-recovery-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Database {
  /** What buildRuntime takes as databaseUrl. */
  url: string;
  tearDown(): Promise<void>;
}

const dialects: { name: string; create(): Promise<Database> }[] = [
  {
    name: 'sqlite',
    create: async () => ({ url: `sqlite:${join(tempDir(), 'store.db')}`, tearDown: async () => undefined }),
  },
  {
    name: 'postgres',
    create: async () => {
      const database = await createTestDatabase();
      return { url: database.url, tearDown: () => database.drop() };
    },
  },
];

/** One gang: a 1-core driver with its tasks in it. */
const ONE_CORE = { driver: { cores: 1, memory: '512m' }, executor: { instances: 0 } };
const CAPACITY = { cores: 2, memoryMiB: 64 * 1024 };

describe.each(dialects)('two replicas over one $name database', (dialect) => {
  let database: Database;
  let stores: Store[];
  let clock: ManualClock;

  beforeEach(async () => {
    database = await dialect.create();
    clock = new ManualClock('2026-12-04T12:00:00.000Z');
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    await database.tearDown();
  });

  /** A replica: its own connection to the database and its own view of the shared cluster. */
  const replica = async (id: string, cluster: FakeBackend) => {
    const store = await openStore(database.url, { clock });
    stores.push(store);
    await store.putCluster({ id: 'c', backend: 'local', settings: {} });
    return new ApplicationService({
      store,
      backends: new Map([['c', cluster]]),
      clock,
      replica: { id, leaseSeconds: 30 },
      // no pass unasked: the test drives them
      admission: { intervalMs: 3_600_000 },
    });
  };

  it('never admits past the capacity, however their passes interleave, and all complete', async () => {
    // the cluster holds two 1-core applications; each replica hands over to it on its own
    const running = new Set<string>();
    let most = 0;
    const cluster = (): FakeBackend => {
      const backend = new FakeBackend();
      backend.declaredCapacity = CAPACITY;
      const submit = backend.submit.bind(backend);
      backend.submit = async (app, config) => {
        running.add(app.id);
        most = Math.max(most, running.size);
        return submit(app, config);
      };
      return backend;
    };
    const backends = [cluster(), cluster()];
    const replicas = [await replica('a', backends[0]!), await replica('b', backends[1]!)];
    const settled = async () => {
      // each replica plans again, as its timer would, until no pass is under way
      await Promise.all(replicas.map((r) => r.admission.request()));
      await Promise.all(replicas.map((r) => r.idle()));
    };

    // a burst of 12, half through each replica, at once
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        replicas[i % 2]!.submit(
          'c',
          { jobId: `burst-${i % 3}`, appId: `burst-${String(i).padStart(2, '0')}`, configOverrides: ONE_CORE },
          { source: 'api' },
        ),
      ),
    );
    await settled();
    expect(running.size).toBe(2);

    const completed: string[] = [];
    for (let round = 0; round < 12 && completed.length < 12; round++) {
      for (const id of [...running]) {
        running.delete(id);
        const owner = backends.find((b) => b.submitted.some((s) => s.app.id === id))!;
        owner.emit(id, { state: 'RUNNING' });
        owner.emit(id, { state: 'COMPLETED' });
        completed.push(id);
      }
      await settled();
      expect(running.size).toBeLessThanOrEqual(2);
    }
    expect(most).toBe(2);
    const states = await Promise.all(completed.map((id) => stores[0]!.getApplication(id)));
    expect(states.map((app) => app?.state)).toEqual(Array(12).fill('COMPLETED'));
  });
});

const token = 'admission-recovery-admin-token-0123456789';

async function runtimeOver(databaseUrl: string, backend: FakeBackend): Promise<Runtime> {
  const config = ServiceConfig.parse({ dataDir: tempDir(), databaseUrl, port: 0, adminToken: token });
  return buildRuntime(config, { plugins: [fakeBackendPlugin(backend)], logger: quiet });
}

const attemptsOf = async (store: Store, first: string): Promise<Application[]> =>
  (await store.listApplications({ retryOf: first }, 50)).items;

describe.each(dialects)('a stop between FAILED and its retry, on $name', (dialect) => {
  let database: Database;

  beforeEach(async () => (database = await dialect.create()));
  afterEach(() => database.tearDown());

  it('commits the retry when the runtime starts again, and only once', async () => {
    const clock = new ManualClock('2026-12-04T12:00:00.000Z');
    const store = await openStore(database.url, { clock });
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    // the process dies right before the retry is committed: that insert never lands
    const dying = Object.create(store) as Store;
    dying.insertApplication = async (app, options) => {
      if (app.retryOf !== undefined) throw new Error('the runtime stopped here');
      return store.insertApplication(app, options);
    };
    const backend = new FakeBackend();
    const first = new ApplicationService({ store: dying, backends: new Map([['local', backend]]), clock });
    const { app } = await first.submit(
      'local',
      {
        jobId: 'nightly',
        appId: 'nightly-1',
        configOverrides: { restartPolicy: { type: 'OnFailure', onFailureRetries: 2 } },
      },
      { source: 'api' },
    );
    await first.idle();
    backend.emit(app.id, { state: 'RUNNING' });
    backend.emit(app.id, { state: 'FAILED', reason: 'exit code 1: ValueError: bad input' });
    await first.idle();
    expect((await store.getApplication(app.id))?.state).toBe('FAILED');
    expect(await attemptsOf(store, app.id)).toEqual([]);
    await store.close();

    const runtime = await runtimeOver(database.url, new FakeBackend());
    try {
      await runtime.start();
      await expect.poll(async () => (await attemptsOf(runtime.store, app.id)).length).toBe(1);
      const [retry] = await attemptsOf(runtime.store, app.id);
      expect(retry).toMatchObject({ id: 'nightly-1-r2', attempt: 2, retryOf: app.id, state: 'NEW' });
      await expect.poll(async () => (await runtime.store.getApplication(app.id))?.failure?.kind).toBe('application');
      // finished: found no more, and a second follow-up commits nothing new
      expect(await runtime.store.listUnfinishedFailures(10)).toEqual([]);
      await runtime.applications.retries.ended((await runtime.store.getApplication(app.id))!);
      expect(await attemptsOf(runtime.store, app.id)).toHaveLength(1);
    } finally {
      await runtime.close();
    }
  });
});

describe('the runtime as built', () => {
  it('reads an out-of-memory failure from the event log alone and retries with more memory', async () => {
    const backend = new FakeBackend();
    const runtime = await runtimeOver(`sqlite:${join(tempDir(), 'store.db')}`, backend);
    try {
      await runtime.start();
      // Spark's own lines: a task that ran out of heap, and the executor lost with it
      const eventLog = join(tempDir(), 'app-20261204120000-0000');
      const line = (event: object) => JSON.stringify(event);
      writeFileSync(
        eventLog,
        [
          line({ Event: 'SparkListenerLogStart', 'Spark Version': '4.0.1' }),
          line({ Event: 'SparkListenerTaskEnd', 'Stage ID': 0, 'Task End Reason': { Reason: 'Success' } }),
          line({
            Event: 'SparkListenerTaskEnd',
            'Stage ID': 0,
            'Task Type': 'ResultTask',
            'Task End Reason': {
              Reason: 'ExceptionFailure',
              'Class Name': 'java.lang.OutOfMemoryError',
              Description: 'Java heap space',
              'Stack Trace': [],
            },
          }),
          line({
            Event: 'SparkListenerExecutorRemoved',
            'Executor ID': '1',
            'Removed Reason': 'Executor Process Lost',
          }),
        ].join('\n') + '\n',
      );
      backend.eventLogs.set('etl-1', eventLog);
      const { app } = await runtime.applications.submit(
        'local',
        {
          jobId: 'etl',
          appId: 'etl-1',
          configOverrides: {
            restartPolicy: { type: 'OnFailure', onFailureRetryIntervalSeconds: 0 },
            executor: { memory: '1g', instances: 2, strategy: 'oomRecovery' },
          },
        },
        { source: 'api' },
      );
      await runtime.applications.idle();
      backend.emit(app.id, { state: 'RUNNING' });
      // neither the state reason nor the driver log names memory
      backend.emit(app.id, {
        state: 'FAILED',
        reason: 'exit code 1: org.apache.spark.SparkException: Job aborted due to stage failure',
      });
      await expect.poll(async () => (await attemptsOf(runtime.store, app.id)).length).toBe(1);
      expect((await runtime.store.getApplication(app.id))?.failure).toMatchObject({
        kind: 'outOfMemory',
        component: 'executor',
        evidence: expect.stringMatching(/^event log: .*java\.lang\.OutOfMemoryError/),
      });
      const [retry] = await attemptsOf(runtime.store, app.id);
      expect(retry?.config.executor?.memory).toBe('2048m');
      expect(retry?.memoryRecovery?.reason).toMatch(/^executor memory 1g -> 2g: etl-1 ran out of memory \(event log: /);
    } finally {
      await runtime.close();
    }
  });
});
