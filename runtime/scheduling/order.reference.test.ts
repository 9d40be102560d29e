/**
 * The radix-sorted admission order (order.ts) equals the order of the comparator sorts it replaced,
 * kept here as the reference, on random queues: ties of arrival, priority and share included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totalOf } from './demand';
import { admissionOrder, dominantShare, shareBasis } from './order';
import type { PlanApp, PlanInput, Resources } from './types';

/** The previous admissionOrder: three comparator sorts over (arrival, id), job share, then (priority, team share). */
function comparatorOrder(input: PlanInput, agingSeconds: number): string[] {
  const { queued, running, nowMs } = input;
  const basis = shareBasis(input);
  const zero: Resources = { cores: 0, memoryMiB: 0 };
  const held = new Map<string, Resources>();
  const runningOf = (key: string) => held.get(key) ?? zero;
  const add = (key: string, r: Resources) => {
    const sum = runningOf(key);
    held.set(key, { cores: sum.cores + r.cores, memoryMiB: sum.memoryMiB + r.memoryMiB });
  };
  const jobKey = (a: PlanApp) => `job\u0000${a.clusterId}\u0000${a.team}\u0000${a.jobId}`;
  const teamKey = (a: PlanApp) => `team\u0000${a.clusterId}\u0000${a.team}`;
  for (const a of running) {
    add(jobKey(a), totalOf(a.demand));
    add(teamKey(a), totalOf(a.demand));
  }
  const priority = (a: PlanApp) =>
    a.priority +
    (agingSeconds <= 0
      ? 0
      : Math.min(1_000_000, Math.floor(Math.max(0, nowMs - a.createdAtMs) / (agingSeconds * 1000))));
  const sharesBefore = (apps: PlanApp[], key: (a: PlanApp) => string) => {
    const sums = new Map<string, Resources>();
    const out = new Map<PlanApp, number>();
    for (const a of apps) {
      const slot = `${priority(a)}\u0000${key(a)}`;
      const sum = sums.get(slot) ?? runningOf(key(a));
      out.set(a, dominantShare(sum.cores, sum.memoryMiB, basis.get(a.clusterId) ?? zero));
      const t = totalOf(a.demand);
      sums.set(slot, { cores: sum.cores + t.cores, memoryMiB: sum.memoryMiB + t.memoryMiB });
    }
    return out;
  };
  const byArrival = [...queued].sort(
    (a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const jobShare = sharesBefore(byArrival, jobKey);
  const arrival = new Map(byArrival.map((a, r) => [a, r]));
  const byJobShare = [...byArrival].sort(
    (a, b) => jobShare.get(a)! - jobShare.get(b)! || arrival.get(a)! - arrival.get(b)!,
  );
  const teamShare = sharesBefore(byJobShare, teamKey);
  const rank = new Map(byJobShare.map((a, r) => [a, r]));
  return [...byJobShare]
    .sort((a, b) => priority(b) - priority(a) || teamShare.get(a)! - teamShare.get(b)! || rank.get(a)! - rank.get(b)!)
    .map((a) => a.id);
}

const resources = fc.record({
  cores: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.double({ min: 0.1, max: 8, noNaN: true })),
  memoryMiB: fc.integer({ min: 0, max: 16384 }),
});

/** Few clusters, teams, jobs, priorities and arrival times, so that every kind of tie is common. */
const appArb = (id: string): fc.Arbitrary<PlanApp> =>
  fc.record({
    id: fc.constant(id),
    clusterId: fc.constantFrom('c1', 'c2'),
    jobId: fc.constantFrom('j1', 'j2', 'j3'),
    team: fc.constantFrom('', 't1', 't2'),
    priority: fc.integer({ min: -3, max: 3 }),
    createdAtMs: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -5_000_000, max: 5_000_000 })),
    demand: fc.record({
      driver: resources,
      executors: fc.record({ count: fc.integer({ min: 0, max: 4 }), each: resources }),
    }),
    concurrency: fc.constant('Allow' as const),
  });

const inputArb: fc.Arbitrary<PlanInput> = fc
  .tuple(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 60 }), fc.integer({ min: 0, max: 6 }))
  .chain(([ids, running]) =>
    fc.record({
      queued: fc.tuple(...ids.map((id) => appArb(id))),
      running: fc.tuple(...Array.from({ length: running }, (_, i) => appArb(`run-${i}`))),
      clusters: fc.constantFrom(
        [],
        [{ id: 'c1', capacity: { cores: 16, memoryMiB: 65536 } }],
        [{ id: 'c1', quota: { cores: 10 } }, { id: 'c2' }],
      ),
      nowMs: fc.integer({ min: 0, max: 10_000_000 }),
    }),
  );

describe('admissionOrder against the comparator sorts it replaced', () => {
  it('gives the same order on random queues', () => {
    fc.assert(
      fc.property(inputArb, fc.constantFrom(0, 1, 600), (input, aging) => {
        expect(admissionOrder(input, aging).map((o) => o.app.id)).toEqual(comparatorOrder(input, aging));
      }),
      { numRuns: 500 },
    );
  });
});
