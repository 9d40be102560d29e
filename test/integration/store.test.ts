/**
 * The Store contract, run against SQLite (a temp file) and the real PostgreSQL server
 * (SPARKPLANE_TEST_DATABASE_URL, one fresh database per run). Each test works in clusters of its
 * own, so tests share a database without seeing each other's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type DurableStore } from '../../runtime/adapters/store/open-store';
import type { Application } from '../../runtime/domain/application';
import { DomainError } from '../../runtime/domain/errors';
import type { ApiToken, Page } from '../../runtime/domain/ports';
import { JobSpec } from '../../runtime/domain/resources';
import { hashSecret } from '../../runtime/apps/token-service';
import { emptyRunMetrics } from '../../runtime/domain/metrics';
import type { AppState } from '../../runtime/domain/states';
import { createTestDatabase } from '../support/postgres';
import { ManualClock } from '../support/manual-clock';

interface Backend {
  name: 'sqlite' | 'postgres';
  setUp(): Promise<{ url: string; tearDown(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    setUp: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sparkplane-store-'));
      return {
        url: `sqlite:${join(dir, 'nested', 'store.db')}`,
        tearDown: async () => rmSync(dir, { recursive: true }),
      };
    },
  },
  {
    name: 'postgres',
    setUp: async () => {
      const database = await createTestDatabase();
      return { url: database.url, tearDown: database.drop };
    },
  },
];

let sequence = 0;
/** A name no other test uses. */
function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

function makeApp(overrides: Partial<Application> = {}): Application {
  return {
    id: unique('app'),
    clusterId: 'c-default',
    jobId: 'job-a',
    state: 'NEW',
    submissionSource: 'api',
    type: 'batch',
    configOverrides: {},
    config: { type: 'Python', mainApplicationFile: 'local:///pi.py' },
    provenance: { '/type': 'template', '/mainApplicationFile': 'job' },
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function makeToken(overrides: Partial<ApiToken> = {}): ApiToken {
  const id = unique('tok');
  return {
    id,
    name: `name of ${id}`,
    secretHash: hashSecret(id),
    scopes: ['applications:read'],
    createdAt: at(0),
    ...overrides,
  };
}

async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 100);
  return { items, pages };
}

async function expectDomainError(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (field !== undefined) expect((error as DomainError).issues.map((i) => i.path)).toContain(field);
}

describe.each(backends)('Store on $name', (backend) => {
  let url: string;
  let tearDown: () => Promise<void>;
  let store: DurableStore;
  const clock = new ManualClock();

  beforeAll(async () => {
    ({ url, tearDown } = await backend.setUp());
    store = await openStore(url, { clock });
  });

  afterAll(async () => {
    await store?.close();
    await tearDown?.();
  });

  it('opens the dialect its URL names and re-running migrations changes nothing', async () => {
    expect(store.kind).toBe(backend.name);
    expect(await store.migrate()).toEqual([]);
    const second = await openStore(url, { clock });
    expect(await second.migrate()).toEqual([]);
    await second.close();
  });

  it('stores an application and returns every field as given', async () => {
    const app = makeApp({
      clusterId: unique('c'),
      state: 'RUNNING',
      stateReason: 'started by test',
      userId: 'alice',
      idempotencyKey: 'key-1',
      configTemplateId: 'tpl-1',
      configOverrides: { sparkConf: { 'spark.sql.shuffle.partitions': '8' }, labels: { team: 'data' } },
      config: { type: 'Python', labels: { team: 'data' }, executor: { instances: 2, memory: '1g' } },
      backendRef: 'pgid:1234',
      metrics: { ...emptyRunMetrics(), durationMs: 1234 },
      // migration 0010: what the tuner predicted, beside what was measured
      prediction: { durationSeconds: 1.5, cost: 0.0021, basis: 'stage replay x1.00 calibration' },
      startedAt: at(1),
      endedAt: at(2),
    });
    const result = await store.insertApplication(app);
    expect(result).toEqual({ app, created: true });
    expect(await store.getApplication(app.id)).toEqual(app);
    expect(await store.getApplication('no-such-app')).toBeUndefined();
  });

  it('stores the attempts of a run (migration 0011), lists them by retryOf and records a failure', async () => {
    const first = makeApp({
      clusterId: unique('c'),
      state: 'FAILED',
      config: { executor: { strategy: 'oomRecovery' } },
    });
    await store.insertApplication(first);
    const failure = { kind: 'outOfMemory' as const, component: 'executor' as const, evidence: 'event log: OOM' };
    expect((await store.updateApplication(first.id, { failure }, ['FAILED']))?.failure).toEqual(failure);
    const retry = makeApp({
      clusterId: first.clusterId,
      attempt: 2,
      retryOf: first.id,
      retryAt: at(30),
      submissionRetries: 1,
      memoryRecovery: { executorMemory: '2048m', reason: 'executor memory 1g -> 2g', fromAppId: first.id },
      createdAt: at(1),
    });
    await store.insertApplication(retry);
    expect(await store.getApplication(retry.id)).toEqual(retry);
    expect((await store.listApplications({ retryOf: first.id }, 10)).items.map((a) => a.id)).toEqual([retry.id]);
    expect(await store.getApplication(first.id)).not.toHaveProperty('attempt');
  });

  it('leaves optional fields absent rather than null', async () => {
    const app = makeApp({ clusterId: unique('c') });
    const stored = await store.getApplication((await store.insertApplication(app)).app.id);
    expect(stored).toEqual(app);
    for (const key of [
      'stateReason',
      'userId',
      'idempotencyKey',
      'backendRef',
      'metrics',
      'prediction',
      'startedAt',
      'endedAt',
    ]) {
      expect(stored).not.toHaveProperty(key);
    }
  });

  it('normalizes timestamps to ISO UTC with milliseconds and rejects non-timestamps', async () => {
    const app = makeApp({ clusterId: unique('c'), createdAt: '2025-06-01T14:00:00+02:00' });
    const { app: stored } = await store.insertApplication(app);
    expect(stored.createdAt).toBe('2025-06-01T12:00:00.000Z');
    await expectDomainError(
      store.insertApplication(makeApp({ createdAt: 'yesterday' })),
      'VALIDATION_FAILED',
      'createdAt',
    );
  });

  it('is idempotent by application id: the second insert returns the first row', async () => {
    const clusterId = unique('c');
    const first = makeApp({ clusterId });
    const again = { ...first, jobId: 'other-job', config: { type: 'Scala' as const }, createdAt: at(50) };
    await store.insertApplication(first);
    const result = await store.insertApplication(again);
    expect(result.created).toBe(false);
    expect(result.app).toEqual(first);
    expect((await store.listApplications({ clusterId }, 10)).items).toHaveLength(1);
  });

  it('is idempotent by (clusterId, idempotencyKey), and keys of other clusters do not collide', async () => {
    const clusterId = unique('c');
    const first = makeApp({ clusterId, idempotencyKey: 'submit-42' });
    await store.insertApplication(first);
    const retry = await store.insertApplication(makeApp({ clusterId, idempotencyKey: 'submit-42' }));
    expect(retry).toEqual({ app: first, created: false });

    const elsewhere = await store.insertApplication(makeApp({ clusterId: unique('c'), idempotencyKey: 'submit-42' }));
    expect(elsewhere.created).toBe(true);
    const keyless = await Promise.all([
      store.insertApplication(makeApp({ clusterId })),
      store.insertApplication(makeApp({ clusterId })),
    ]);
    expect(keyless.map((r) => r.created)).toEqual([true, true]);
    expect((await store.listApplications({ clusterId }, 10)).items).toHaveLength(3);
  });

  it('keeps exactly one row when 20 inserts of the same id race from a pool', async () => {
    const clusterId = unique('c');
    const id = unique('raced');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.insertApplication(makeApp({ id, clusterId, userId: `racer-${i}` }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)?.app;
    for (const r of results) expect(r.app).toEqual(winner);
    expect((await store.listApplications({ clusterId }, 100)).items).toHaveLength(1);
  });

  it('keeps exactly one row when 20 inserts with the same idempotency key and different ids race', async () => {
    const clusterId = unique('c');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.insertApplication(makeApp({ clusterId, idempotencyKey: 'same' }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.app.id)).size).toBe(1);
    expect((await store.listApplications({ clusterId }, 100)).items).toHaveLength(1);
  });

  it('updates only from an expected state (compare-and-set)', async () => {
    const app = makeApp({ clusterId: unique('c') });
    await store.insertApplication(app);
    clock.advanceSeconds(10);
    const running = await store.updateApplication(
      app.id,
      { state: 'RUNNING', backendRef: 'pgid:7', startedAt: at(5) },
      ['NEW', 'PENDING'],
    );
    expect(running).toMatchObject({ state: 'RUNNING', backendRef: 'pgid:7', startedAt: at(5) });
    expect(running?.updatedAt).toBe(clock.now().toISOString());
    expect(running?.config).toEqual(app.config);

    expect(await store.updateApplication(app.id, { state: 'KILLED' }, ['NEW', 'PENDING'])).toBeUndefined();
    expect(await store.updateApplication(app.id, { state: 'KILLED' }, [])).toBeUndefined();
    expect((await store.getApplication(app.id))?.state).toBe('RUNNING');

    const ended = await store.updateApplication(
      app.id,
      {
        state: 'FAILED',
        stateReason: 'exit code 1',
        endedAt: at(9),
        metrics: { ...emptyRunMetrics(), efficiency: 0.5 },
      },
      ['RUNNING'],
    );
    expect(ended).toMatchObject({ state: 'FAILED', stateReason: 'exit code 1', endedAt: at(9) });
    expect(ended?.metrics).toEqual({ ...emptyRunMetrics(), efficiency: 0.5 });
    // without `expected` the update is unconditional: used to attach metrics after the end
    const measured = { ...emptyRunMetrics(), efficiency: 0.7 };
    expect((await store.updateApplication(app.id, { metrics: measured }))?.metrics).toEqual(measured);
    expect(await store.updateApplication('no-such-app', { state: 'RUNNING' })).toBeUndefined();
  });

  it('stores a stop request and withdraws it with null', async () => {
    const app = makeApp({ clusterId: unique('c'), state: 'RUNNING' });
    await store.insertApplication(app);
    const stopRequest = { state: 'KILLED' as const, reason: 'killed by admin' };
    expect((await store.updateApplication(app.id, { stopRequest }, ['RUNNING']))?.stopRequest).toEqual(stopRequest);
    expect((await store.getApplication(app.id))?.stopRequest).toEqual(stopRequest);
    expect((await store.updateApplication(app.id, { stopRequest: null }))?.stopRequest).toBeUndefined();
    expect((await store.getApplication(app.id))?.stopRequest).toBeUndefined();
  });

  it('stores why an application waits, withdraws it with null, and when it was admitted', async () => {
    const app = makeApp({ clusterId: unique('c'), state: 'NEW' });
    await store.insertApplication(app);
    const reason = 'cluster local: 2/2 cores in use, needs 1';
    const held = await store.updateApplication(app.id, { state: 'PENDING', pendingReason: reason }, ['NEW']);
    expect(held).toMatchObject({ state: 'PENDING', pendingReason: reason });
    expect((await store.getApplication(app.id))?.admittedAt).toBeUndefined();
    const at = '2026-03-01T00:00:05.000Z';
    const admitted = await store.updateApplication(app.id, { admittedAt: at, pendingReason: null }, ['NEW', 'PENDING']);
    expect(admitted?.pendingReason).toBeUndefined();
    expect(admitted?.admittedAt).toBe(at);
    expect(await store.getApplication(app.id)).toMatchObject({ state: 'PENDING', admittedAt: at });
    // set at insertion too (admitted as committed, on a cluster without limits)
    const direct = makeApp({ clusterId: unique('c'), state: 'NEW', admittedAt: at, pendingReason: 'x' });
    await store.insertApplication(direct);
    expect(await store.getApplication(direct.id)).toMatchObject({ admittedAt: at, pendingReason: 'x' });
  });

  it("records a hand-over's back-end reference, returning only the state, and forgets why it waited when asked", async () => {
    const waited = makeApp({
      clusterId: unique('c'),
      state: 'PENDING',
      pendingReason: 'the back-end was out of reach',
    });
    await store.insertApplication(waited);
    clock.advanceSeconds(1);
    expect(await store.recordHandover(waited.id, 'ref-1', false)).toBe('PENDING');
    const kept = await store.getApplication(waited.id);
    expect(kept).toMatchObject({ backendRef: 'ref-1', pendingReason: 'the back-end was out of reach' });
    expect(kept?.updatedAt).not.toBe(waited.updatedAt);
    expect(await store.recordHandover(waited.id, 'ref-2', true)).toBe('PENDING');
    const cleared = await store.getApplication(waited.id);
    expect(cleared?.backendRef).toBe('ref-2');
    expect(cleared?.pendingReason).toBeUndefined();
    // stopped meanwhile: the caller learns it from the state
    await store.updateApplication(waited.id, { state: 'KILLED', endedAt: at(5) });
    expect(await store.recordHandover(waited.id, 'ref-3', false)).toBe('KILLED');
    expect(await store.recordHandover(unique('app'), 'ref-4', false)).toBeUndefined();
  });

  it('lets exactly one of 20 racing transitions win', async () => {
    const app = makeApp({ clusterId: unique('c'), state: 'RUNNING' });
    await store.insertApplication(app);
    const ends: AppState[] = ['COMPLETED', 'FAILED', 'KILLED', 'TIMED_OUT'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.updateApplication(app.id, { state: ends[i % 4] }, ['RUNNING'])),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect((await store.getApplication(app.id))?.state).toBe(winners[0]?.state);
  });

  it("lists a job's measured runs newest first, with their figures, config and provenance only", async () => {
    const jobId = unique('measured-job');
    const figures = {
      durationMs: 60_000,
      inputBytes: 5e9,
      outputBytes: 1e8,
      efficiency: 0.62,
      executorCoreSeconds: 480,
    };
    const priced = makeApp({
      jobId,
      state: 'COMPLETED',
      createdAt: at(10),
      endedAt: at(80),
      metrics: { ...emptyRunMetrics(), ...figures, cost: { total: 0.25, currency: 'USD', method: 'test' } },
    });
    const unpriced = makeApp({
      jobId,
      state: 'FAILED',
      createdAt: at(20),
      endedAt: at(90),
      config: { type: 'Python', mainApplicationFile: 'local:///pi.py', executor: { instances: 3 } },
      provenance: { '/type': 'template', '/mainApplicationFile': 'job', '/executor/instances': 'tuning' },
      metrics: { ...emptyRunMetrics(), ...figures, efficiency: 0.3 },
      // a tuned run: its prediction comes back beside what it measured (the job's prediction error)
      prediction: { durationSeconds: 55, cost: 0.2, basis: 'stage replay x1.00 calibration' },
    });
    // not measured, and another job's: neither is listed
    const running = makeApp({ jobId, state: 'RUNNING', createdAt: at(30) });
    const other = makeApp({
      jobId: unique('other-job'),
      state: 'COMPLETED',
      endedAt: at(70),
      metrics: emptyRunMetrics(),
    });
    for (const app of [priced, unpriced, running, other]) await store.insertApplication(app);

    expect(await store.listMeasuredRuns(jobId)).toEqual([
      {
        appId: unpriced.id,
        endedAt: at(90),
        state: 'FAILED',
        metrics: { ...figures, efficiency: 0.3 },
        config: unpriced.config,
        provenance: unpriced.provenance,
        prediction: unpriced.prediction,
      },
      {
        appId: priced.id,
        endedAt: at(80),
        state: 'COMPLETED',
        metrics: { ...figures, cost: { total: 0.25 } },
        config: priced.config,
        provenance: priced.provenance,
      },
    ]);
    expect(await store.listMeasuredRuns(unique('no-such-job'))).toEqual([]);
  });

  describe('listApplications', () => {
    const clusterA = unique('fa');
    const clusterB = unique('fb');
    const apps: Application[] = [
      makeApp({
        clusterId: clusterA,
        jobId: 'etl',
        state: 'COMPLETED',
        createdAt: at(10),
        config: { labels: { team: 'data', env: 'prod' } },
      }),
      makeApp({
        clusterId: clusterA,
        jobId: 'etl',
        state: 'FAILED',
        createdAt: at(20),
        config: { labels: { team: 'data', env: 'dev' } },
      }),
      makeApp({
        clusterId: clusterA,
        jobId: 'ml',
        state: 'RUNNING',
        createdAt: at(30),
        config: { labels: { team: 'ml', env: 'prod' } },
      }),
      makeApp({ clusterId: clusterA, jobId: 'ml', state: 'NEW', createdAt: at(40) }),
      makeApp({
        clusterId: clusterB,
        jobId: 'etl',
        state: 'COMPLETED',
        createdAt: at(25),
        config: { labels: { team: 'data', env: 'prod' } },
      }),
    ];
    const ids = (page: Page<Application>) => page.items.map((a) => a.id);
    const [a10, a20, a30, a40, b25] = apps.map((a) => a.id) as [string, string, string, string, string];

    beforeAll(async () => {
      for (const app of apps) await store.insertApplication(app);
    });

    it('filters by cluster and by job, newest first', async () => {
      expect(ids(await store.listApplications({ clusterId: clusterA }, 10))).toEqual([a40, a30, a20, a10]);
      expect(ids(await store.listApplications({ clusterId: clusterA, jobId: 'etl' }, 10))).toEqual([a20, a10]);
      expect(ids(await store.listApplications({ clusterId: clusterB, jobId: 'ml' }, 10))).toEqual([]);
    });

    it('filters by any of several states; an empty list does not filter', async () => {
      const filter = { clusterId: clusterA, states: ['COMPLETED', 'RUNNING'] as AppState[] };
      expect(ids(await store.listApplications(filter, 10))).toEqual([a30, a10]);
      expect(ids(await store.listApplications({ clusterId: clusterA, states: [] }, 10))).toHaveLength(4);
    });

    it('filters by creation time, from inclusive and to exclusive', async () => {
      const filter = { clusterId: clusterA, createdFrom: at(20), createdTo: at(40) };
      expect(ids(await store.listApplications(filter, 10))).toEqual([a30, a20]);
      expect(ids(await store.listApplications({ clusterId: clusterA, createdFrom: at(31) }, 10))).toEqual([a40]);
      await expectDomainError(store.listApplications({ createdTo: 'soon' }, 10), 'VALIDATION_FAILED', 'createdTo');
    });

    it('filters by labels, every label given having to match', async () => {
      expect(ids(await store.listApplications({ clusterId: clusterA, labels: { team: 'data' } }, 10))).toEqual([
        a20,
        a10,
      ]);
      expect(ids(await store.listApplications({ labels: { team: 'data', env: 'prod' }, jobId: 'etl' }, 10))).toEqual([
        b25,
        a10,
      ]);
      expect(
        ids(await store.listApplications({ clusterId: clusterA, labels: { env: 'prod', team: 'ml' } }, 10)),
      ).toEqual([a30]);
      expect(ids(await store.listApplications({ clusterId: clusterA, labels: { team: 'nobody' } }, 10))).toEqual([]);
    });

    it('combines filters across clusters', async () => {
      const page = await store.listApplications(
        { jobId: 'etl', states: ['COMPLETED'], createdFrom: at(10), createdTo: at(26) },
        10,
      );
      expect(ids(page)).toEqual([b25, a10]);
    });

    it('honours the limit without a filter and rejects a bad limit or cursor', async () => {
      const page = await store.listApplications({}, 3);
      expect(page.items).toHaveLength(3);
      expect(page.nextCursor).toBeDefined();
      await expectDomainError(store.listApplications({}, 0), 'VALIDATION_FAILED', 'limit');
      await expectDomainError(store.listApplications({}, 10, 'not-a-cursor'), 'VALIDATION_FAILED', 'cursor');
    });
  });

  it('pages through ties on createdAt with no duplicates or gaps', async () => {
    const clusterId = unique('page');
    // 23 applications over 7 distinct instants: ties are broken by id
    const apps = Array.from({ length: 23 }, (_, i) =>
      makeApp({ clusterId, id: `p-${String(i).padStart(2, '0')}-${clusterId}`, createdAt: at(i % 7) }),
    );
    for (const app of [...apps].reverse()) await store.insertApplication(app);
    const expected = [...apps]
      .sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1))
      .map((a) => a.id);

    for (const limit of [1, 4, 23, 50]) {
      const { items, pages } = await allPages((cursor) => store.listApplications({ clusterId }, limit, cursor));
      expect(items.map((a) => a.id)).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(23 / limit)));
    }
    // a page that ends exactly at the last row has no cursor
    const exact = await store.listApplications({ clusterId }, 23);
    expect(exact.nextCursor).toBeUndefined();
    // a later insert newer than the cursor does not shift the pages that follow
    const first = await store.listApplications({ clusterId }, 5);
    await store.insertApplication(makeApp({ clusterId, createdAt: at(100) }));
    const rest = await allPages((cursor) => store.listApplications({ clusterId }, 5, cursor ?? first.nextCursor));
    expect([...first.items, ...rest.items].map((a) => a.id)).toEqual(expected);
  });

  it('creates a job on first use only, and putJob replaces its spec', async () => {
    const clusterId = unique('c');
    const spec = JobSpec.parse({ id: unique('job'), clusterId, config: { labels: { team: 'data' } } });
    const created = await store.ensureJob(spec);
    expect(created).toEqual({ ...spec, createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() });
    clock.advanceSeconds(60);
    expect(await store.ensureJob({ ...spec, displayName: 'ignored' })).toEqual(created);

    const raced = JobSpec.parse({ id: unique('job'), clusterId });
    const ensured = await Promise.all(Array.from({ length: 20 }, () => store.ensureJob(raced)));
    for (const job of ensured) expect(job).toEqual(ensured[0]);

    const updated = await store.putJob({
      ...spec,
      displayName: 'Daily ETL',
      tuning: { mode: 'off', objective: 'cost' },
    });
    expect(updated).toMatchObject({ displayName: 'Daily ETL', tuning: { mode: 'off' }, createdAt: created.createdAt });
    expect(updated.updatedAt).toBe(clock.now().toISOString());
    expect(await store.getJob(spec.id)).toEqual(updated);
    expect(await store.getJob('no-such-job')).toBeUndefined();

    const fresh = await store.putJob(JobSpec.parse({ id: unique('job'), clusterId }));
    const listed = await allPages((cursor) => store.listJobs({ clusterId }, 2, cursor));
    expect(listed.items.map((j) => j.id)).toEqual([spec.id, raced.id, fresh.id].sort());
    expect(listed.pages).toBe(2);
    expect((await store.listJobs({ clusterId: unique('empty') }, 10)).items).toEqual([]);
  });

  it('keys templates by (clusterId, id) and updates, lists and deletes them', async () => {
    const [c1, c2] = [unique('c'), unique('c')];
    const small = await store.putTemplate(c1, { id: 'small', config: { executor: { instances: 1 } } });
    expect(small).toMatchObject({ clusterId: c1, id: 'small', config: { executor: { instances: 1 } } });
    await store.putTemplate(c2, { id: 'small', config: { executor: { instances: 9 } } });
    await store.putTemplate(c1, { id: 'big', config: { executor: { instances: 20 } } });
    clock.advanceSeconds(1);
    const changed = await store.putTemplate(c1, { id: 'small', config: { executor: { instances: 2 } } });
    expect(changed.createdAt).toBe(small.createdAt);
    expect(changed.updatedAt).not.toBe(small.updatedAt);

    expect((await store.getTemplate(c1, 'small'))?.config).toEqual({ executor: { instances: 2 } });
    expect((await store.getTemplate(c2, 'small'))?.config).toEqual({ executor: { instances: 9 } });
    expect((await store.listTemplates(c1)).map((t) => t.id)).toEqual(['big', 'small']);
    expect(await store.deleteTemplate(c1, 'small')).toBe(true);
    expect(await store.deleteTemplate(c1, 'small')).toBe(false);
    expect(await store.getTemplate(c1, 'small')).toBeUndefined();
    expect(await store.getTemplate(c2, 'small')).toBeDefined();
  });

  it('stores, updates, lists and deletes clusters', async () => {
    const id = unique('cl');
    const local = await store.putCluster({ id, backend: 'local', settings: { parallelism: 2 } });
    expect(local).toMatchObject({ id, backend: 'local', settings: { parallelism: 2 } });
    clock.advanceSeconds(1);
    const k8s = await store.putCluster({
      id,
      backend: 'kubernetes',
      settings: { namespace: 'spark', context: 'prod' },
    });
    expect(k8s).toMatchObject({
      backend: 'kubernetes',
      settings: { namespace: 'spark', context: 'prod' },
      createdAt: local.createdAt,
    });
    expect(await store.getCluster(id)).toEqual(k8s);
    expect((await store.listClusters()).map((c) => c.id)).toContain(id);
    expect(await store.deleteCluster(id)).toBe(true);
    expect(await store.deleteCluster(id)).toBe(false);
    expect(await store.getCluster(id)).toBeUndefined();
  });

  it('finds tokens by hash until revoked, and lists revoked ones with revokedAt', async () => {
    const scoped = makeToken({
      scopes: ['applications:create', 'applications:kill'],
      clusterIds: ['c1'],
      jobIds: ['etl'],
    });
    const admin = makeToken({ scopes: ['admin'] });
    await store.insertToken(scoped);
    await store.insertToken(admin);
    expect(await store.findTokenByHash(scoped.secretHash)).toEqual(scoped);
    expect(await store.findTokenByHash(admin.secretHash)).toEqual(admin);
    expect(await store.findTokenByHash('unknown')).toBeUndefined();
    await expectDomainError(store.insertToken({ ...scoped, id: unique('tok') }), 'CONFLICT');
    await expectDomainError(store.insertToken({ ...scoped, secretHash: hashSecret('other') }), 'CONFLICT');

    expect(await store.revokeToken(scoped.id, at(60))).toBe(true);
    expect(await store.revokeToken(scoped.id, at(90))).toBe(true);
    expect(await store.revokeToken('no-such-token', at(60))).toBe(false);
    expect(await store.findTokenByHash(scoped.secretHash)).toBeUndefined();
    const listed = await store.listTokens();
    expect(listed.find((t) => t.id === scoped.id)).toEqual({ ...scoped, revokedAt: at(60) });
    expect(listed.find((t) => t.id === admin.id)).toEqual(admin);
  });

  it('has every acknowledged write visible to another connection, and keeps it across close and reopen', async () => {
    const app = makeApp({ clusterId: unique('c'), config: { labels: { kept: 'yes' } } });
    await store.insertApplication(app);
    await store.putCluster({ id: unique('cl'), backend: 'local', settings: {} });
    const other = await openStore(url, { clock });
    expect(await other.getApplication(app.id)).toEqual(app);
    await other.close();

    await store.close();
    store = await openStore(url, { clock });
    expect(await store.getApplication(app.id)).toEqual(app);
    expect((await store.listApplications({ labels: { kept: 'yes' } }, 10)).items.map((a) => a.id)).toEqual([app.id]);
  });
});

describe('SQLite file', () => {
  it('is kept in WAL mode with foreign keys enforced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkplane-store-'));
    const path = join(dir, 'store.db');
    try {
      await (await openStore(path)).close();
      const file = new SqliteDatabase(path);
      try {
        expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
        // app_labels references applications: a label of an unknown application is refused
        file.pragma('foreign_keys = ON');
        const orphan = file.prepare("INSERT INTO app_labels (app_id, key, value) VALUES ('ghost', 'k', 'v')");
        expect(() => orphan.run()).toThrow(/FOREIGN KEY/);
      } finally {
        file.close();
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('createTestDatabase', () => {
  it('says which variable to set when SPARKPLANE_TEST_DATABASE_URL is missing', async () => {
    const saved = process.env.SPARKPLANE_TEST_DATABASE_URL;
    delete process.env.SPARKPLANE_TEST_DATABASE_URL;
    try {
      await expect(createTestDatabase()).rejects.toThrow(/SPARKPLANE_TEST_DATABASE_URL is not set/);
    } finally {
      process.env.SPARKPLANE_TEST_DATABASE_URL = saved;
    }
  });
});
