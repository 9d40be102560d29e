import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { MemoryStore } from '../../test/support/memory-store';
import { podFiles } from '../adapters/k8s/app-files';
import type { Application } from '../domain/application';
import { DomainError } from '../domain/errors';
import { ApplicationService, type ApplicationServiceDeps } from './application-service';
import type { Principal } from './principal';

class FakeClock {
  constructor(private ms = Date.parse('2026-03-01T00:00:00.000Z')) {}
  now(): Date {
    this.ms += 1; // every reading moves on, so createdAt orders submissions
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('ApplicationService', () => {
  let clock: FakeClock;
  let store: MemoryStore;
  let backend: FakeBackend;
  let ended: Application[];
  let service: ApplicationService;

  const make = (extra: Partial<ApplicationServiceDeps> = {}) =>
    new ApplicationService({
      store,
      backends: new Map([
        ['local', backend],
        ['other', backend],
      ]),
      clock,
      onEnded: (app) => {
        ended.push(app);
      },
      ...extra,
    });

  beforeEach(async () => {
    clock = new FakeClock();
    store = new MemoryStore(clock);
    backend = new FakeBackend();
    ended = [];
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    await store.putCluster({ id: 'other', backend: 'local', settings: {} });
    service = make();
  });

  const submit = (
    body: unknown,
    context: Partial<Parameters<ApplicationService['submit']>[2]> = {},
    cluster = 'local',
  ) => service.submit(cluster, body, { source: 'api', ...context });

  it('commits the application in NEW before the back-end is called, then hands it over', async () => {
    const { app, created } = await submit({ jobId: 'etl', configOverrides: { executor: { instances: 2 } } });
    expect(created).toBe(true);
    expect(app.state).toBe('NEW');
    expect(app.id).toMatch(/^etl-[0-9a-z]{9}-[0-9a-z]{4}$/);
    expect(store.applications.get(app.id)?.state).toBe('NEW');
    await service.idle();
    expect(backend.submitted.map((s) => s.app.id)).toEqual([app.id]);
    expect((await service.get(app.id)).backendRef).toBe(`fake-${app.id}`);
    expect(app.config.timeout).toEqual({ minutes: 1440, policy: 'KILL' });
    expect(app.provenance['/executor/instances']).toBe('overrides');
    expect((await store.getJob('etl'))?.clusterId).toBe('local');
  });

  it('merges template < tuning < job < overrides and records where each value came from', async () => {
    await store.putTemplate('local', {
      id: 'small',
      config: { driver: { cores: 1, memory: '1g' }, sparkConf: { a: 't' } },
    });
    await store.putJob({
      id: 'etl',
      clusterId: 'local',
      config: { sparkConf: { a: 'job' } },
      tuning: { mode: 'auto', objective: 'cost' },
      concurrencyPolicy: 'Allow',
    });
    service = make({
      tuning: async () => ({
        tuning: { driver: { memory: '2g' }, executor: { memory: '3g' } },
        changes: [
          { pointer: '/driver/memory', from: '1g', to: '2g', reason: 'driver peak' },
          { pointer: '/executor/memory', from: '8g', to: '3g', reason: 'executor peak' },
        ],
      }),
    });
    const { app } = await submit({
      jobId: 'etl',
      configTemplateId: 'small',
      configOverrides: { executor: { memory: '4g' } },
    });
    expect(app.config).toMatchObject({
      driver: { cores: 1, memory: '2g' },
      executor: { memory: '4g' },
      sparkConf: { a: 'job' },
    });
    expect(app.provenance).toMatchObject({
      '/driver/cores': 'template',
      '/driver/memory': 'tuning',
      '/executor/memory': 'overrides',
      '/sparkConf/a': 'job',
    });
    // the override of executor.memory won over the tuner's change: only the change the config kept is recorded
    expect(app.tuningChanges).toEqual([{ pointer: '/driver/memory', from: '1g', to: '2g', reason: 'driver peak' }]);
    expect(app.type).toBe('batch');
  });

  it('trusts a cluster it read for clusterCacheMs, then reads it again', async () => {
    service = make({ clusterCacheMs: 2000 });
    await submit({ jobId: 'etl' });
    await store.deleteCluster('local');
    // the removal is seen late: this process's back-end still runs it
    expect((await submit({ jobId: 'etl' })).created).toBe(true);
    clock.advance(2000);
    const error = await errorOf(submit({ jobId: 'etl' }));
    expect([error.code, error.message]).toEqual(['RESOURCE_NOT_FOUND', expect.stringContaining('local')]);
  });

  it('is idempotent by appId: the second submission returns the first and never runs twice', async () => {
    const first = await submit({ jobId: 'etl', appId: 'etl-1' });
    const second = await submit({ jobId: 'etl', appId: 'etl-1', configOverrides: { executor: { instances: 9 } } });
    await service.idle();
    expect(second.created).toBe(false);
    expect(second.app.id).toBe(first.app.id);
    expect(backend.submitted).toHaveLength(1);
  });

  it('is idempotent by Idempotency-Key on the same cluster', async () => {
    const first = await submit({ jobId: 'etl' }, { idempotencyKey: 'k1' });
    const second = await submit({ jobId: 'etl' }, { idempotencyKey: 'k1' });
    await service.idle();
    expect([second.created, second.app.id]).toEqual([false, first.app.id]);
    expect(backend.submitted).toHaveLength(1);
  });

  it('refuses an appId or a job of another cluster with CONFLICT naming both', async () => {
    await submit({ jobId: 'etl', appId: 'etl-1' });
    const app = await errorOf(submit({ jobId: 'etl2', appId: 'etl-1' }, {}, 'other'));
    expect(app.code).toBe('CONFLICT');
    // which cluster and job the existing one belongs to is not told: the caller may not see it
    expect(app.message).toBe(
      'application etl-1 already exists and is not a submission of job etl2 on cluster other: choose another appId or idempotency key',
    );
    const job = await errorOf(submit({ jobId: 'etl' }, {}, 'other'));
    expect(job.code).toBe('CONFLICT');
    expect(job.message).toBe('job etl belongs to cluster local; it cannot run on cluster other');
  });

  it('answers RESOURCE_NOT_FOUND for an unknown cluster or template, VALIDATION_FAILED with field paths', async () => {
    const cluster = await errorOf(submit({ jobId: 'etl' }, {}, 'nowhere'));
    expect([cluster.code, cluster.message]).toEqual(['RESOURCE_NOT_FOUND', "Couldn't find cluster with ID: nowhere"]);
    const template = await errorOf(submit({ jobId: 'etl', configTemplateId: 'nope' }));
    expect([template.code, template.message]).toEqual([
      'RESOURCE_NOT_FOUND',
      "Couldn't find config template with ID: nope",
    ]);
    const invalid = await errorOf(submit({ jobId: 'ETL', configOverrides: { executor: { memory: '8gigs' } } }));
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.issues.map((i) => i.path)).toEqual(['jobId', 'configOverrides.executor.memory']);
    expect(store.calls.insertApplication ?? 0).toBe(0);
  });

  it('ends FAILED with the reason when the back-end refuses the submission', async () => {
    backend.failSubmitWith = new Error('spark-submit not found');
    const { app } = await submit({ jobId: 'etl' });
    await service.idle();
    const failed = await service.get(app.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.stateReason).toBe('the back-end refused the submission: spark-submit not found');
    expect(failed.startedAt).toBeUndefined();
    expect(ended.map((a) => a.id)).toEqual([app.id]);
  });

  it('follows back-end reports through the state machine and calls onEnded once', async () => {
    const { app } = await submit({ jobId: 'etl' });
    await service.idle();
    backend.emit(app.id, { state: 'RUNNING', startedAt: '2026-03-01T00:00:05.000Z' });
    backend.emit(app.id, { state: 'COMPLETED', endedAt: '2026-03-01T00:01:05.000Z' });
    backend.emit(app.id, { state: 'FAILED', reason: 'late report' });
    await service.idle();
    const done = await service.get(app.id);
    expect(done).toMatchObject({
      state: 'COMPLETED',
      startedAt: '2026-03-01T00:00:05.000Z',
      endedAt: '2026-03-01T00:01:05.000Z',
    });
    expect(ended.map((a) => a.state)).toEqual(['COMPLETED']);
  });

  it('records an end reported before any start as one step through RUNNING, started when the back-end says', async () => {
    const { app } = await submit({ jobId: 'etl' });
    backend.emit(app.id, {
      state: 'FAILED',
      reason: 'exit code 1: ZeroDivisionError',
      startedAt: '2026-03-01T00:00:02.000Z',
    });
    await service.idle();
    const failed = await service.get(app.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.stateReason).toBe('exit code 1: ZeroDivisionError');
    expect(failed.startedAt).toBe('2026-03-01T00:00:02.000Z');
  });

  it("records a back-end's report the store refused once, a second later", async () => {
    const { app } = await submit({ jobId: 'etl' });
    await service.idle();
    const update = store.updateApplication.bind(store);
    let refusals = 0;
    store.updateApplication = async (...args) => {
      if (args[1].state === 'RUNNING' && refusals++ === 0) {
        throw new DomainError('STORE_UNAVAILABLE', 'the store cannot write: the disk holding the database is full');
      }
      return update(...args);
    };
    backend.emit(app.id, { state: 'RUNNING', startedAt: '2026-03-01T00:00:05.000Z' });
    await service.idle();
    expect((await service.get(app.id)).state).toBe('NEW');
    await expect.poll(async () => (await service.get(app.id)).state, { timeout: 5_000 }).toBe('RUNNING');
    expect(refusals).toBe(2);
  });

  it('refuses at submission a config the cluster could never hold, naming the field, its source and the limit', async () => {
    backend.declaredCapacity = { cores: 2, memoryMiB: 8192 };
    const error = await errorOf(
      submit({ jobId: 'etl', appId: 'etl-huge', configOverrides: { driver: { cores: 9007199254740991 } } }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([
      {
        path: 'config.driver.cores',
        message:
          'config.driver.cores: 9007199254740991 cores is more than cluster local holds 2 cores and 8g in all (the value comes from overrides)',
      },
    ]);
    const many = await errorOf(submit({ jobId: 'etl', configOverrides: { executor: { instances: 1_000_000_000 } } }));
    expect(many.issues.map((i) => i.path)).toEqual(['config.executor.instances']);
    expect(store.applications.has('etl-huge')).toBe(false);
    // what fits is taken as before
    expect((await submit({ jobId: 'etl', configOverrides: { executor: { instances: 0 } } })).created).toBe(true);
  });

  it('refuses a submission its back-end cannot start now, before acknowledging it', async () => {
    backend.refusal = async () => '/data is on a read-only file system';
    const error = await errorOf(submit({ jobId: 'etl', appId: 'etl-refused' }));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toBe('cluster local cannot start applications now: /data is on a read-only file system');
    expect(store.applications.has('etl-refused')).toBe(false);
  });

  it('answers a config its back-end can never run with its validation error, before acknowledging it', async () => {
    // the Kubernetes back-end's own check (runtime/adapters/k8s/app-files.ts): a file of the runtime's disk
    backend.checkConfig = (config) => podFiles(config);
    const error = await errorOf(
      submit({ jobId: 'etl', appId: 'etl-local-file', configOverrides: { mainApplicationFile: 'examples://x.py' } }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toEqual(['mainApplicationFile']);
    expect(store.applications.has('etl-local-file')).toBe(false);
  });

  it('leaves an application the back-end ended without a start never started', async () => {
    const { app } = await submit({ jobId: 'etl' });
    backend.emit(app.id, { state: 'FAILED', reason: 'image pull failed' });
    await service.idle();
    const failed = await service.get(app.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.startedAt).toBeUndefined();
    expect(failed.endedAt).toBeDefined();
  });

  it('kills: the back-end is asked, the state is KILLED even if the back-end then reports FAILED', async () => {
    const { app } = await submit({ jobId: 'etl' });
    await service.idle();
    backend.emit(app.id, { state: 'RUNNING' });
    await service.idle();
    const actor: Principal = { id: 't1', name: 'team-a', scopes: ['applications:kill'] };
    const killed = await service.kill(app.id, actor);
    backend.emit(app.id, { state: 'FAILED', reason: 'exit code 143' });
    await service.idle();
    expect(backend.killed).toEqual([app.id]);
    expect(killed.state).toBe('KILLED');
    expect(killed.stateReason).toBe('killed by team-a');
    expect((await service.get(app.id)).state).toBe('KILLED');
    // killing an ended application changes nothing and is not an error
    expect((await service.kill(app.id, actor)).state).toBe('KILLED');
    expect(backend.killed).toHaveLength(1);
  });

  it('times out an application past its timeout (fake clock), but not one with timeout DISABLED', async () => {
    const { app: short } = await submit({ jobId: 'etl', configOverrides: { timeout: { minutes: 5, policy: 'KILL' } } });
    const { app: never } = await submit({ jobId: 'etl', configOverrides: { timeout: 'DISABLED' } });
    const { app: daily } = await submit({ jobId: 'etl' });
    await service.idle();
    clock.advance(4 * 60_000);
    expect(await service.replicas.sweepTimeouts()).toEqual([]);
    clock.advance(2 * 60_000);
    expect(await service.replicas.sweepTimeouts()).toEqual([short.id]);
    const timedOut = await service.get(short.id);
    expect(timedOut.state).toBe('TIMED_OUT');
    expect(timedOut.stateReason).toBe('timed out after 5 minutes (timeout policy KILL)');
    expect(backend.killed).toEqual([short.id]);
    clock.advance(25 * 60 * 60_000);
    expect(await service.replicas.sweepTimeouts()).toEqual([daily.id]);
    expect((await service.get(never.id)).state).toBe('NEW');
  });

  it('reconciles at start-up: nothing stays RUNNING, the reason is recorded, unsent submissions are sent', async () => {
    const { app: running } = await submit({ jobId: 'etl' });
    const { app: alive } = await submit({ jobId: 'etl' });
    await service.idle();
    backend.emit(running.id, { state: 'RUNNING' });
    backend.emit(alive.id, { state: 'RUNNING' });
    await service.idle();
    // an acknowledged submission the back-end never received (the runtime stopped in between)
    const unsent: Application = { ...(await service.get(running.id)), id: 'etl-unsent', state: 'NEW' };
    delete unsent.backendRef;
    delete unsent.startedAt;
    await store.insertApplication(unsent);

    const restarted = new FakeBackend();
    restarted.statuses.set(running.id, { state: 'FAILED', reason: 'the driver process is gone' });
    restarted.statuses.set(alive.id, { state: 'RUNNING' });
    const after = new ApplicationService({ store, backends: new Map([['local', restarted]]), clock });
    expect(await after.replicas.reconcile()).toBe(3);
    expect(await after.get(running.id)).toMatchObject({
      state: 'FAILED',
      stateReason: 'reconciled at start-up: the driver process is gone',
    });
    expect((await after.get(alive.id)).state).toBe('RUNNING');
    expect(restarted.submitted.map((s) => s.app.id)).toEqual(['etl-unsent']);
  });

  it('enforces token limits: a team may submit only with its own templates and clusters', async () => {
    await store.putTemplate('local', { id: 'team-a', config: {} });
    await store.putTemplate('local', { id: 'team-b', config: {} });
    const actor: Principal = {
      id: 't',
      name: 'team-a',
      scopes: ['applications:create'],
      templateIds: ['team-a'],
      clusterIds: ['local'],
    };
    expect((await submit({ jobId: 'etl', configTemplateId: 'team-a' }, { actor })).created).toBe(true);
    const other = await errorOf(submit({ jobId: 'etl', configTemplateId: 'team-b' }, { actor }));
    expect(other.code).toBe('FORBIDDEN');
    expect(other.message).toContain('config template team-b');
    expect((await errorOf(submit({ jobId: 'etl' }, { actor }))).code).toBe('FORBIDDEN');
    expect((await errorOf(submit({ jobId: 'etl2', configTemplateId: 'team-a' }, { actor }, 'other'))).code).toBe(
      'FORBIDDEN',
    );
    expect((await errorOf(service.get('whatever', actor))).code).toBe('RESOURCE_NOT_FOUND');
  });

  it('lists with filters and keyset pagination, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await submit({ jobId: i % 2 ? 'odd' : 'even', configOverrides: { labels: { team: `t${i % 2}` } } })).app.id,
      );
    }
    const first = await service.list({ limit: 2 });
    expect(first.items.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    const second = await service.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    expect((await service.list({ jobId: 'odd' })).items.map((a) => a.id)).toEqual([ids[3], ids[1]]);
    expect((await service.list({ labels: { team: 't0' } })).items).toHaveLength(3);
  });
});
