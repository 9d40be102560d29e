/**
 * The ownership part of the Store contract (heartbeat, claimApplications, releaseApplications),
 * on SQLite, the real PostgreSQL (SPARKPLANE_TEST_DATABASE_URL) and the in-memory store the unit
 * tests use. Each test has a database of its own: claims look at every application.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/adapters/store/open-store';
import type { Application } from '../../runtime/domain/application';
import type { Clock, Store } from '../../runtime/domain/ports';
import { MemoryStore } from '../support/memory-store';
import { createTestDatabase } from '../support/postgres';
import { ManualClock } from '../support/manual-clock';

interface Kind {
  name: string;
  /** `connections` stores over one database, as separate replicas would have. */
  open(clock: Clock, connections: number): Promise<{ stores: Store[]; tearDown(): Promise<void> }>;
}

const kinds: Kind[] = [
  {
    name: 'sqlite',
    open: async (clock, connections) => {
      const dir = mkdtempSync(join(tmpdir(), 'sparkplane-owners-'));
      const stores: Store[] = [];
      for (let i = 0; i < connections; i++) stores.push(await openStore(`sqlite:${join(dir, 'store.db')}`, { clock }));
      return { stores, tearDown: async () => rmSync(dir, { recursive: true }) };
    },
  },
  {
    name: 'postgres',
    open: async (clock, connections) => {
      const database = await createTestDatabase();
      const stores: Store[] = [];
      for (let i = 0; i < connections; i++) stores.push(await openStore(database.url, { clock }));
      return { stores, tearDown: database.drop };
    },
  },
  {
    name: 'memory',
    open: async (clock, connections) => {
      const store = new MemoryStore(clock);
      return { stores: Array.from({ length: connections }, () => store), tearDown: async () => undefined };
    },
  },
];

const LEASE = { leaseSeconds: 30, limit: 100 };

function makeApp(id: string, createdSecond: number, state: Application['state'] = 'NEW'): Application {
  const at = new Date(Date.parse('2029-12-31T00:00:00.000Z') + createdSecond * 1000).toISOString();
  return {
    id,
    clusterId: 'c',
    jobId: 'j',
    state,
    submissionSource: 'api',
    configOverrides: {},
    config: { mainApplicationFile: 'local:///app.py' },
    provenance: {},
    createdAt: at,
    updatedAt: at,
  };
}

const ids = (apps: Application[]) => apps.map((app) => app.id).sort();

describe.each(kinds)('application ownership on $name', (kind) => {
  const clock = new ManualClock();
  let stores: Store[] = [];
  let tearDown = async () => undefined as void;

  const open = async (connections = 1) => {
    ({ stores, tearDown } = await kind.open(clock, connections));
    return stores[0]!;
  };

  afterEach(async () => {
    for (const store of new Set(stores)) await store.close();
    await tearDown();
  });

  it("never gives a live owner's applications to another replica, and gives a dead one's once its lease is over", async () => {
    const store = await open();
    await store.heartbeat('a');
    await store.insertApplication(makeApp('a-1', 1), { ownerId: 'a' });
    await store.insertApplication(makeApp('a-2', 2), { ownerId: 'a' });
    await store.heartbeat('b');

    clock.advanceSeconds(29);
    expect(await store.claimApplications('b', LEASE)).toEqual([]);
    await store.heartbeat('a');
    clock.advanceSeconds(29);
    expect(await store.claimApplications('b', LEASE)).toEqual([]);

    clock.advanceSeconds(2); // a silent for 31 s
    await store.heartbeat('b');
    expect(ids(await store.claimApplications('b', LEASE))).toEqual(['a-1', 'a-2']);
    expect(ids((await store.listApplications({ ownerId: 'b' }, 10)).items)).toEqual(['a-1', 'a-2']);
    expect((await store.listApplications({ ownerId: 'a' }, 10)).items).toEqual([]);
    expect(await store.claimApplications('c', LEASE)).toEqual([]); // b is alive: nothing to take
  });

  it('claims unowned active applications oldest first, a batch at a time, and never ended ones', async () => {
    const store = await open();
    await store.insertApplication(makeApp('new', 3));
    await store.insertApplication(makeApp('running', 2, 'RUNNING'));
    await store.insertApplication(makeApp('pending', 1, 'PENDING'));
    await store.insertApplication(makeApp('done', 0, 'COMPLETED'));
    await store.heartbeat('b');
    expect((await store.claimApplications('b', { leaseSeconds: 30, limit: 2 })).map((app) => app.id)).toEqual([
      'pending',
      'running',
    ]);
    expect(ids(await store.claimApplications('b', LEASE))).toEqual(['new']);
    expect(await store.claimApplications('b', LEASE)).toEqual([]);
  });

  it('releases the active applications of a leaving replica to the next claim, at once', async () => {
    const store = await open();
    await store.heartbeat('a');
    await store.insertApplication(makeApp('a-run', 1, 'RUNNING'), { ownerId: 'a' });
    await store.insertApplication(makeApp('a-done', 2, 'FAILED'), { ownerId: 'a' });
    expect(await store.releaseApplications('a')).toBe(1);
    expect(ids(await store.claimApplications('b', LEASE))).toEqual(['a-run']);
  });

  it('gives each orphan to exactly one of several replicas claiming at the same time', async () => {
    await open(3);
    const first = stores[0]!;
    await first.heartbeat('dead');
    for (let i = 0; i < 60; i++) await first.insertApplication(makeApp(`o-${i}`, i), { ownerId: 'dead' });
    clock.advanceSeconds(31);
    const claims = await Promise.all(
      stores.flatMap((store, s) =>
        [0, 1, 2, 3].map(async () => {
          await store.heartbeat(`r${s}`);
          return (await store.claimApplications(`r${s}`, { leaseSeconds: 30, limit: 7 })).map((app) => app.id);
        }),
      ),
    );
    const claimed = claims.flat();
    expect(new Set(claimed).size).toBe(claimed.length); // nobody got one twice
    expect(claimed.length).toBe(Math.min(60, 12 * 7));
    for (let s = 0; s < stores.length; s++) {
      const owned = (await first.listApplications({ ownerId: `r${s}` }, 100)).items.map((app) => app.id);
      expect(owned.sort()).toEqual(
        claims
          .slice(s * 4, s * 4 + 4)
          .flat()
          .sort(),
      );
    }
  });
});
