/**
 * A session's endpoint and idle clock across replicas (migration 0012): two session services, each
 * with its own application service and back-end, over one store (SQLite, then PostgreSQL). The
 * replica whose back-end runs the session stores where it answers; the other routes there, and its
 * sweep enforces the idle time-out from the requests the first one passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/adapters/store/open-store';
import { ApplicationChanges, publishingStore } from '../../runtime/apps/application-changes';
import { ApplicationService } from '../../runtime/apps/application-service';
import type { Principal } from '../../runtime/apps/principal';
import type { Store } from '../../runtime/domain/ports';
import { SessionService } from '../../runtime/sessions/session-service';
import { sessionIdOf } from '../../runtime/sessions/session-id';
import { FakeBackend } from '../support/fake-backend';
import { ManualClock } from '../support/manual-clock';
import { createTestDatabase } from '../support/postgres';

const alice: Principal = { id: 'tok-a', name: 'alice', scopes: ['applications:create', 'applications:read'] };
const ENDPOINT = { host: '127.0.0.1', port: 41_002 };

interface Replica {
  backend: FakeBackend;
  applications: ApplicationService;
  sessions: SessionService;
}

const dialects: { name: string; open(clock: ManualClock): Promise<{ store: Store; tearDown(): Promise<void> }> }[] = [
  {
    name: 'sqlite',
    open: async (clock) => {
      const dir = mkdtempSync(join(tmpdir(), 'sparkplane-session-state-'));
      const store = await openStore(`sqlite:${join(dir, 'store.db')}`, { clock });
      return {
        store,
        tearDown: async () => {
          await store.close();
          rmSync(dir, { recursive: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open: async (clock) => {
      const database = await createTestDatabase();
      const store = await openStore(database.url, { clock });
      return {
        store,
        tearDown: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  },
];

describe.each(dialects)('session state across replicas on $name', (dialect) => {
  let clock: ManualClock;
  let store: Store;
  let tearDown: () => Promise<void>;
  let a: Replica;
  let b: Replica;

  function replica(knowsEndpoint: boolean): Replica {
    const backend = new FakeBackend();
    if (knowsEndpoint) backend.connectEndpoint = async () => ENDPOINT;
    else backend.connectEndpoint = async () => undefined;
    const changes = new ApplicationChanges();
    // as the runtime wires it: what this replica commits is told to its changes
    const own = publishingStore(store, changes);
    const applications = new ApplicationService({ store: own, backends: new Map([['local', backend]]), clock });
    const sessions = new SessionService({
      applications,
      store: own,
      clock,
      changes,
      connectPublicUrl: 'sc://spark.example.com:443',
      touchWriteIntervalMs: 60_000,
    });
    return { backend, applications, sessions };
  }

  beforeEach(async () => {
    clock = new ManualClock('2026-03-01T00:00:00.000Z');
    ({ store, tearDown } = await dialect.open(clock));
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    a = replica(true);
    b = replica(false);
  });

  afterEach(async () => {
    await a.sessions.stopSweeping();
    await b.sessions.stopSweeping();
    await tearDown();
  });

  /** Started through replica A, whose back-end reports it RUNNING. */
  async function runningOnA(idleTimeoutMinutes: number): Promise<string> {
    const view = await a.sessions.start(
      { clusterId: 'local', configOverrides: { session: { idleTimeoutMinutes } } },
      { source: 'api', userId: alice.name, actor: alice },
    );
    await a.applications.idle();
    a.backend.emit(view.application.id, { state: 'RUNNING', startedAt: clock.now().toISOString() });
    await a.applications.idle();
    return view.application.id;
  }

  it("routes through the other replica to the endpoint the session's replica stored", async () => {
    const id = await runningOnA(60);
    const stored = async () => (await store.getSessionStates([id]))[0]?.endpoint;
    await expect.poll(stored).toEqual(ENDPOINT);
    // B's back-end does not know it: the store does
    expect(await b.sessions.bySessionId(sessionIdOf(id), alice)).toEqual({ appId: id, upstream: ENDPOINT });
    expect(await b.sessions.byAppId('local', id, alice)).toEqual({ appId: id, upstream: ENDPOINT });
  });

  it("times a session out on the other replica's sweep, counting from the requests the first one passed", async () => {
    const id = await runningOnA(10);
    clock.advanceSeconds(9 * 60);
    a.sessions.touch(id); // the first touch is written at once
    await expect
      .poll(async () => (await store.getSessionStates([id]))[0]?.lastActivityAt)
      .toBe('2026-03-01T00:09:00.000Z');
    clock.advanceSeconds(9 * 60);
    await b.sessions.sweepIdle();
    expect(b.backend.killed).toEqual([]);
    expect((await b.sessions.get(id, alice)).lastActivityAt).toBe('2026-03-01T00:09:00.000Z');
    clock.advanceSeconds(60);
    await b.sessions.sweepIdle();
    expect(b.backend.killed).toEqual([id]);
    expect(a.backend.killed).toEqual([]);
  });

  it('writes touches at most once per interval per replica, the last of an interval when it ends, never backwards', async () => {
    const id = await runningOnA(60);
    const lastStored = async () => (await store.getSessionStates([id]))[0]?.lastActivityAt;
    a.sessions.touch(id);
    await expect.poll(lastStored).toBe('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 5; i++) {
      clock.advanceSeconds(5);
      a.sessions.touch(id);
    }
    // within the interval: not written yet
    expect(await lastStored()).toBe('2026-03-01T00:00:00.000Z');
    // the pending write goes out when the replica stops at the latest
    await a.sessions.stopSweeping();
    expect(await lastStored()).toBe('2026-03-01T00:00:25.000Z');
    // a late write of an older request (another replica's) does not move the clock back
    await store.touchSession(id, '2026-03-01T00:00:10.000Z');
    expect(await lastStored()).toBe('2026-03-01T00:00:25.000Z');
  });

  it("deletes a session's state when it ends, and what an end left behind when a sweep starts", async () => {
    const stopped = await runningOnA(60);
    a.sessions.touch(stopped);
    const states = async (ids: string[]) => (await store.getSessionStates(ids)).map((state) => state.appId).sort();
    await expect.poll(() => states([stopped])).toEqual([stopped]);
    await a.sessions.stop(stopped);
    await expect.poll(() => states([stopped])).toEqual([]);

    // an end no replica followed with the deletion (a crash between the two): the row is left
    const left = await runningOnA(60);
    const running = await runningOnA(60);
    await expect.poll(() => states([left, running])).toEqual([left, running].sort());
    await store.updateApplication(left, { state: 'FAILED', endedAt: clock.now().toISOString() }, ['RUNNING']);
    expect(await states([left, running])).toEqual([left, running].sort());
    b.sessions.startSweeping();
    await b.sessions.stopSweeping();
    // the running session keeps its endpoint
    expect(await states([left, running])).toEqual([running]);
  });
});
