/** Several ApplicationService replicas sharing one store and one cluster: who acts on what, and take-over. */
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { MemoryStore } from '../../test/support/memory-store';
import type { Application } from '../domain/application';
import type { SparkBackend } from '../domain/ports';
import { ApplicationService } from './application-service';
import { ManualClock } from '../../test/support/manual-clock';

/** The shared cluster, seen by a replica whose submissions wait until `release()` (or forever). */
function stalled(cluster: FakeBackend): SparkBackend & { release(): void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return Object.assign(Object.create(cluster) as FakeBackend, {
    submit: async (app: Application, config: Application['config']) => {
      await gate;
      return cluster.submit(app, config);
    },
    release: () => release(),
  });
}

describe('replicas sharing a store', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  let cluster: FakeBackend;

  const replica = (id: string, backend: SparkBackend = cluster) =>
    new ApplicationService({
      store,
      backends: new Map([['c', backend]]),
      clock,
      replica: { id, leaseSeconds: 30 },
    });
  const submit = (service: ApplicationService, appId: string, timeoutMinutes?: number) =>
    service.submit(
      'c',
      {
        jobId: 'j',
        appId,
        ...(timeoutMinutes ? { configOverrides: { timeout: { minutes: timeoutMinutes, policy: 'KILL' } } } : {}),
      },
      { source: 'api' },
    );
  const submittedIds = () => cluster.submitted.map((s) => s.app.id);

  beforeEach(async () => {
    clock = new ManualClock('2026-03-01T00:00:00.000Z');
    store = new MemoryStore(clock);
    cluster = new FakeBackend();
    await store.putCluster({ id: 'c', backend: 'local', settings: {} });
  });

  it("takes over a dead replica's unsubmitted applications once its lease has run out, and submits each once", async () => {
    const a = replica('a', stalled(cluster)); // dies with its submissions never handed over
    const b = replica('b');
    await submit(a, 'app-1');
    await submit(a, 'app-2');

    clock.advanceSeconds(29);
    expect(await b.replicas.adoptOrphans()).toBe(0);
    await b.idle();
    expect(submittedIds()).toEqual([]);

    clock.advanceSeconds(2);
    expect(await b.replicas.adoptOrphans()).toBe(2);
    await b.idle();
    expect(submittedIds().sort()).toEqual(['app-1', 'app-2']);
    expect((await store.getApplication('app-1'))?.backendRef).toBe('fake-app-1');

    clock.advanceSeconds(60); // b keeps its heartbeat: nothing is taken over twice
    expect(await b.replicas.adoptOrphans()).toBe(0);
    const page = await store.listApplications({ ownerId: 'b' }, 10);
    expect(page.items.map((app) => app.id).sort()).toEqual(['app-1', 'app-2']);
  });

  it('leaves a replica that keeps heartbeating its applications', async () => {
    const a = replica('a');
    const b = replica('b');
    await submit(a, 'app-1');
    await a.idle();
    clock.advanceSeconds(20);
    await a.replicas.adoptOrphans(); // a's heartbeat
    clock.advanceSeconds(20);
    expect(await b.replicas.adoptOrphans()).toBe(0);
    expect(submittedIds()).toEqual(['app-1']);
  });

  it('settles a taken-over application that was already handed over with what the back-end reports', async () => {
    const a = replica('a');
    await submit(a, 'app-1');
    await a.idle();
    cluster.statuses.set('app-1', { state: 'RUNNING' });
    clock.advanceSeconds(31);
    const b = replica('b');
    expect(await b.replicas.adoptOrphans()).toBe(1);
    await b.idle();
    const app = await store.getApplication('app-1');
    expect(app?.state).toBe('RUNNING');
    expect(app?.stateReason).toBe('taken over by replica b: the back-end reports RUNNING');
    expect(submittedIds()).toEqual(['app-1']);
  });

  it('hands its applications over at once when it stops cleanly, and at start-up settles those of its earlier life', async () => {
    const a = replica('a');
    await submit(a, 'app-1');
    await a.idle();
    await a.replicas.stop();
    const b = replica('b');
    expect(await b.replicas.adoptOrphans()).toBe(1);

    const b2 = replica('b', stalled(cluster)); // b again, after a crash, under the same id
    await submit(b2, 'app-2');
    const restarted = replica('b');
    expect(await restarted.replicas.reconcile()).toBe(2);
    expect(submittedIds()).toEqual(['app-1', 'app-2']);
  });

  it('times out only the applications it owns', async () => {
    const a = replica('a');
    const b = replica('b');
    await submit(a, 'app-a', 1);
    await submit(b, 'app-b', 1);
    await Promise.all([a.idle(), b.idle()]);
    clock.advanceSeconds(120);
    await Promise.all([a.replicas.adoptOrphans(), b.replicas.adoptOrphans()]);
    expect(await a.replicas.sweepTimeouts()).toEqual(['app-a']);
    expect(await b.replicas.sweepTimeouts()).toEqual(['app-b']);
  });

  it('stops what it started when another replica killed the application during the submission', async () => {
    const backendOfA = stalled(cluster);
    const a = replica('a', backendOfA);
    const b = replica('b');
    await submit(a, 'app-1');
    expect((await b.kill('app-1')).state).toBe('KILLED');
    backendOfA.release();
    await a.idle();
    expect(submittedIds()).toEqual(['app-1']);
    expect(cluster.killed).toEqual(['app-1', 'app-1']); // b's kill found nothing yet; a's stops the run
  });

  it('records a kill served by another replica as KILLED, even when the owner sees the deleted resource first', async () => {
    const ownerView = new FakeBackend();
    const a = replica('a', ownerView);
    // b's kill deletes the resource; a's watch reports the deletion before b records anything
    const killerView = Object.assign(new FakeBackend(), {
      kill: async (app: Application) => {
        ownerView.emit(app.id, { state: 'FAILED', reason: 'SparkApplication was deleted' });
        await a.idle();
      },
    });
    const b = replica('b', killerView);
    await submit(a, 'app-1');
    await a.idle();
    ownerView.emit('app-1', { state: 'RUNNING' });
    await a.idle();

    const killed = await b.kill('app-1');
    expect(killed.state).toBe('KILLED');
    expect(killed.stateReason).toBe('killed by the runtime');
    expect((await store.getApplication('app-1'))?.state).toBe('KILLED');
  });
});
