/** Admission in the service, over the in-memory store and a fake back-end: who starts, who waits and why. */
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { MemoryStore } from '../../test/support/memory-store';
import { ApplicationService } from './application-service';

class StepClock {
  constructor(private ms = Date.parse('2026-03-01T00:00:00.000Z')) {}
  now(): Date {
    this.ms += 1; // every reading moves on, so createdAt orders submissions
    return new Date(this.ms);
  }
}

/** One core and no executors: one local[1] application. */
const oneCore = { driver: { cores: 1 }, executor: { instances: 0 } };

describe('admission in the service', () => {
  let clock: StepClock;
  let store: MemoryStore;
  let backend: FakeBackend;
  let service: ApplicationService;

  const make = (b: FakeBackend = backend, replica?: string) =>
    new ApplicationService({
      store,
      backends: new Map([['local', b]]),
      clock,
      ...(replica !== undefined ? { replica: { id: replica } } : {}),
    });
  const submit = (jobId: string, configOverrides: object = oneCore, userId?: string) =>
    service.submit('local', { jobId, configOverrides }, { source: 'api', ...(userId ? { userId } : {}) });
  const submittedIds = (b: FakeBackend = backend) => b.submitted.map((s) => s.app.id);

  beforeEach(async () => {
    clock = new StepClock();
    store = new MemoryStore(clock);
    backend = new FakeBackend();
    backend.declaredCapacity = { cores: 2, memoryMiB: 16384 };
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    service = make();
  });

  it('starts what fits the capacity, keeps the rest PENDING with the reason, and starts them as room frees up', async () => {
    const apps = [];
    for (const job of ['a', 'b', 'c', 'd']) apps.push((await submit(job)).app);
    await service.idle();
    expect(submittedIds()).toEqual([apps[0]!.id, apps[1]!.id]);
    for (const app of apps.slice(2)) {
      const stored = await service.get(app.id);
      expect(stored.state).toBe('PENDING');
      expect(stored.pendingReason).toBe('cluster local: 2/2 cores in use, needs 1');
      expect(stored.admittedAt).toBeUndefined();
    }
    expect((await service.get(apps[0]!.id)).admittedAt).toBeDefined();

    backend.emit(apps[0]!.id, { state: 'COMPLETED' });
    await service.lifecycle.idle();
    await service.idle();
    expect(submittedIds()).toEqual([apps[0]!.id, apps[1]!.id, apps[2]!.id]);
    const started = await service.get(apps[2]!.id);
    expect(started.pendingReason).toBeUndefined();
    expect(started.admittedAt).toBeDefined();
    expect((await service.get(apps[3]!.id)).state).toBe('PENDING');
  });

  it('admits at submission on a cluster without limits', async () => {
    backend.declaredCapacity = undefined;
    const { app } = await submit('a', { executor: { instances: 50 } });
    expect(app.admittedAt).toBe(app.createdAt);
    await service.idle();
    expect(submittedIds()).toEqual([app.id]);
  });

  it('holds a team at its quota from the cluster settings, the team from the label or the submitter', async () => {
    backend.declaredCapacity = undefined;
    await store.putCluster({
      id: 'local',
      backend: 'local',
      settings: { quotas: { teams: { 'team-a': { applications: 1 } } } },
    });
    const first = (await submit('a', { ...oneCore, labels: { team: 'team-a' } })).app;
    const second = (await submit('b', oneCore, 'team-a')).app;
    const other = (await submit('c', { ...oneCore, labels: { team: 'team-b' } })).app;
    await service.idle();
    expect(submittedIds()).toEqual([first.id, other.id]);
    expect((await service.get(second.id)).pendingReason).toBe('quota team-a: 1/1 applications running');
  });

  it('runs the applications of a Forbid job one at a time', async () => {
    backend.declaredCapacity = undefined;
    await store.putJob({
      id: 'nightly',
      clusterId: 'local',
      config: {},
      tuning: { mode: 'off', objective: 'cost' },
      concurrencyPolicy: 'Forbid',
    });
    const first = (await submit('nightly')).app;
    const second = (await submit('nightly')).app;
    await service.idle();
    expect(submittedIds()).toEqual([first.id]);
    expect((await service.get(second.id)).pendingReason).toBe(
      `job nightly: concurrency Forbid, run ${first.id} active`,
    );
    backend.emit(first.id, { state: 'FAILED', reason: 'exit 1' });
    await service.lifecycle.idle();
    await service.idle();
    expect(submittedIds()).toEqual([first.id, second.id]);
  });

  it('refuses at submission what asks more than the cluster can ever hold, acknowledging nothing', async () => {
    await expect(submit('big', { driver: { cores: 4 }, executor: { instances: 0 } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('config.driver.cores: 4 cores is more than cluster local holds 2 cores'),
    });
    await service.idle();
    expect((await store.listApplications({}, 10)).items).toEqual([]);
    expect(submittedIds()).toEqual([]);
  });

  it('kills a queued application without ever starting it', async () => {
    await submit('a');
    await submit('b');
    const queued = (await submit('c')).app;
    await service.idle();
    expect((await service.kill(queued.id)).state).toBe('KILLED');
    backend.emit(backend.submitted[0]!.app.id, { state: 'COMPLETED' });
    await service.lifecycle.idle();
    await service.idle();
    expect(submittedIds()).not.toContain(queued.id);
  });

  it('keeps the queue across a restart: what waited still waits, and starts when room frees up', async () => {
    const apps = [];
    for (const job of ['a', 'b', 'c']) apps.push((await submit(job)).app);
    await service.idle();
    await service.replicas.stop();

    const restarted = new FakeBackend();
    restarted.declaredCapacity = { cores: 2, memoryMiB: 16384 };
    for (const app of apps.slice(0, 2)) restarted.statuses.set(app.id, { state: 'RUNNING' });
    service = make(restarted);
    await service.replicas.reconcile();
    expect(submittedIds(restarted)).toEqual([]);
    expect((await service.get(apps[2]!.id)).state).toBe('PENDING');

    restarted.emit(apps[0]!.id, { state: 'COMPLETED' });
    await service.lifecycle.idle();
    await service.idle();
    expect(submittedIds(restarted)).toEqual([apps[2]!.id]);
  });

  it('acts only on the applications this replica owns', async () => {
    const a = make(backend, 'a');
    service = a;
    const apps = [];
    for (const job of ['a', 'b', 'c']) apps.push((await submit(job)).app);
    await a.idle();
    expect(submittedIds()).toEqual([apps[0]!.id, apps[1]!.id]);
    // replica b sees room on its side for a's waiting application, but it is not b's to start
    const roomy = new FakeBackend();
    roomy.declaredCapacity = { cores: 8, memoryMiB: 16384 };
    const b = make(roomy, 'b');
    expect(await b.admission.request()).toEqual({ admitted: [], held: 0, rejected: [] });
    expect(submittedIds(roomy)).toEqual([]);
    expect((await store.getApplication(apps[2]!.id))?.state).toBe('PENDING');
  });
});
