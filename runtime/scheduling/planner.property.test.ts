/** Properties of the planner over random queues, clusters and quotas (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totalOf } from './demand';
import { podsOf } from './ledger';
import { app, gang } from './fixtures.test-helpers';
import { admissionOrder, dominantShare, shareBasis } from './order';
import { plan } from './planner';
import type { Limits, PlanApp, PlanCluster, PlanInput, Resources } from './types';

const CLUSTERS = ['c1', 'c2'];
const TEAMS = ['t1', 't2', 't3'];
const JOBS = ['j1', 'j2', 'j3', 'j4', 'j5'];

const resources = (maxCores: number, maxMiB: number): fc.Arbitrary<Resources> =>
  fc.record({ cores: fc.integer({ min: 1, max: maxCores }), memoryMiB: fc.integer({ min: 256, max: maxMiB }) });

const limits: fc.Arbitrary<Limits> = fc.record(
  {
    applications: fc.integer({ min: 1, max: 6 }),
    cores: fc.integer({ min: 1, max: 40 }),
    memoryMiB: fc.integer({ min: 1024, max: 65536 }),
  },
  { requiredKeys: [] },
);

/** A job belongs to one cluster and has one concurrency policy. */
const JOB_CLUSTER: Record<string, string> = { j1: 'c1', j2: 'c1', j3: 'c1', j4: 'c2', j5: 'c2' };
const JOB_POLICY: Record<string, PlanApp['concurrency']> = {
  j1: 'Forbid',
  j2: 'Allow',
  j3: 'Replace',
  j4: 'Forbid',
  j5: 'Allow',
};

const appArb = (id: string): fc.Arbitrary<PlanApp> =>
  fc
    .record({
      jobId: fc.constantFrom(...JOBS),
      team: fc.constantFrom(...TEAMS),
      priority: fc.integer({ min: -2, max: 2 }),
      createdAtMs: fc.integer({ min: 0, max: 3_600_000 }),
      demand: fc.record({
        driver: resources(2, 4096),
        executors: fc.record({ count: fc.integer({ min: 0, max: 4 }), each: resources(4, 8192) }),
      }),
    })
    .map((fields) => ({
      id,
      clusterId: JOB_CLUSTER[fields.jobId]!,
      concurrency: JOB_POLICY[fields.jobId]!,
      ...fields,
    }));

const clusterArb = (id: string): fc.Arbitrary<PlanCluster> =>
  fc.record(
    {
      id: fc.constant(id),
      capacity: resources(48, 131072),
      nodes: fc.array(resources(16, 32768), { maxLength: 6 }),
      quota: limits,
      teamQuotas: fc.dictionary(fc.constantFrom(...TEAMS), limits, { maxKeys: 2 }),
      defaultTeamQuota: limits,
    },
    { requiredKeys: ['id'] },
  );

const inputArb: fc.Arbitrary<PlanInput> = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 8 }))
  .chain(([queued, running]) =>
    fc.record({
      queued: fc.tuple(...Array.from({ length: queued }, (_, i) => appArb(`q${String(i).padStart(2, '0')}`))),
      running: fc.tuple(...Array.from({ length: running }, (_, i) => appArb(`r${i}`))),
      clusters: fc.tuple(...CLUSTERS.map(clusterArb)),
      nowMs: fc.integer({ min: 3_600_000, max: 7_200_000 }),
    }),
  );

function sum(apps: readonly PlanApp[]): { applications: number; cores: number; memoryMiB: number } {
  return apps.reduce(
    (acc, a) => {
      const t = totalOf(a.demand);
      return { applications: acc.applications + 1, cores: acc.cores + t.cores, memoryMiB: acc.memoryMiB + t.memoryMiB };
    },
    { applications: 0, cores: 0, memoryMiB: 0 },
  );
}

function within(used: ReturnType<typeof sum>, limit: Limits | Resources | undefined): boolean {
  if (!limit) return true;
  const l = limit as Limits;
  return (
    (l.applications === undefined || used.applications <= l.applications) &&
    (l.cores === undefined || used.cores <= l.cores) &&
    (l.memoryMiB === undefined || used.memoryMiB <= l.memoryMiB)
  );
}

/** First fit by a plain scan, apart from the planner's tree: can every admitted gang be placed? */
function fitsByScan(nodes: readonly Resources[], gangs: Resources[][]): boolean {
  const free = nodes.map((n) => ({ ...n }));
  return gangs.every((pods) =>
    pods.every((pod) => {
      const node = free.find((n) => n.cores >= pod.cores && n.memoryMiB >= pod.memoryMiB);
      if (!node) return false;
      node.cores -= pod.cores;
      node.memoryMiB -= pod.memoryMiB;
      return true;
    }),
  );
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('plan, on random input', () => {
  it('never admits beyond a cluster’s capacity, its quota or a team’s quota', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = plan(input);
        const byId = new Map(input.queued.map((a) => [a.id, a]));
        for (const cluster of input.clusters) {
          const admitted = result.admit.map((id) => byId.get(id)!).filter((a) => a.clusterId === cluster.id);
          if (admitted.length === 0) continue;
          const running = input.running.filter((a) => a.clusterId === cluster.id);
          const all = [...running, ...admitted];
          expect(within(sum(all), cluster.capacity)).toBe(true);
          expect(within(sum(all), cluster.quota)).toBe(true);
          for (const team of TEAMS) {
            if (!admitted.some((a) => a.team === team)) continue;
            const quota = cluster.teamQuotas?.[team] ?? cluster.defaultTeamQuota;
            expect(within(sum(all.filter((a) => a.team === team)), quota)).toBe(true);
          }
          if (cluster.nodes) expect(fitsByScan(cluster.nodes, admitted.map(podsOf))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accounts for every queued application exactly once', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = plan(input);
        const seen = [...result.admit, ...result.held.map((h) => h.id), ...result.rejected.map((h) => h.id)];
        expect([...seen].sort()).toEqual(input.queued.map((a) => a.id).sort());
        for (const h of [...result.held, ...result.rejected]) expect(h.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('never starts a lower priority while a higher one waits for room on the same cluster (ageing off)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = plan(input, { agingSeconds: 0 });
        const byId = new Map(input.queued.map((a) => [a.id, a]));
        const waitingForRoom = result.held.filter((h) => h.rule === 'capacity' || h.rule === 'head-of-line');
        for (const id of result.admit) {
          const admitted = byId.get(id)!;
          for (const h of waitingForRoom) {
            const waiting = byId.get(h.id)!;
            if (waiting.clusterId === admitted.clusterId)
              expect(waiting.priority).toBeLessThanOrEqual(admitted.priority);
          }
        }
      }),
    );
  });

  it('runs at most one application of a Forbid job at a time', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = plan(input);
        const byId = new Map(input.queued.map((a) => [a.id, a]));
        const admitted = result.admit.map((id) => byId.get(id)!);
        for (const a of admitted.filter((x) => x.concurrency === 'Forbid')) {
          const others = [...input.running, ...admitted].filter((x) => x.jobId === a.jobId && x.id !== a.id);
          expect(others).toEqual([]);
        }
      }),
    );
  });

  it('gives the same plan for the same input, in whatever order its lists come', () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 1, max: 1 << 30 }), (input, seed) => {
        const expected = plan(input);
        expect(plan(structuredClone(input))).toEqual(expected);
        const shuffled = {
          ...input,
          queued: shuffle(input.queued, seed),
          running: shuffle(input.running, seed + 1),
          clusters: shuffle(input.clusters, seed + 2),
        };
        expect(plan(shuffled)).toEqual(expected);
      }),
    );
  });

  it('bounds what another team or job holds ahead of an application by its own share plus one of theirs', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const order = admissionOrder(input, 600);
        const basis = shareBasis(input);
        const share = (apps: readonly PlanApp[], clusterId: string) => {
          const held = sum(apps);
          return dominantShare(held.cores, held.memoryMiB, basis.get(clusterId)!);
        };
        order.forEach((item, position) => {
          const { app } = item;
          const band = order.filter(
            (o) => o.app.clusterId === app.clusterId && o.effectivePriority === item.effectivePriority,
          );
          const ahead = order
            .slice(0, position)
            .filter((o) => band.includes(o))
            .map((o) => o.app);
          const onCluster = input.running.filter((r) => r.clusterId === app.clusterId);
          // teams, then jobs within its team: what the other group runs and has ahead of it, against
          // what its own group runs and has ahead of it plus the other group's largest application
          const levels = [
            { of: (a: PlanApp) => a.team, within: (_: PlanApp) => true },
            { of: (a: PlanApp) => a.jobId, within: (a: PlanApp) => a.team === app.team },
          ];
          for (const { of, within } of levels) {
            const mine = (a: PlanApp) => within(a) && of(a) === of(app);
            const own = share([...onCluster.filter(mine), ...ahead.filter(mine)], app.clusterId);
            const others = new Set(
              band
                .map((o) => o.app)
                .filter((a) => within(a) && of(a) !== of(app))
                .map(of),
            );
            for (const other of others) {
              const theirs = (a: PlanApp) => within(a) && of(a) === other;
              const aheadOfIt = ahead.filter(theirs);
              if (aheadOfIt.length === 0) continue;
              const largest = Math.max(
                ...band
                  .map((o) => o.app)
                  .filter(theirs)
                  .map((a) => share([a], app.clusterId)),
              );
              const held = share([...onCluster.filter(theirs), ...aheadOfIt], app.clusterId);
              expect(held).toBeLessThanOrEqual(own + largest + 1e-9);
            }
          }
        });
      }),
    );
  });

  it('starts a lone job’s application within one plan while another job bursts on the same cluster', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 2, max: 8 }), (burst, cores) => {
        const one = (id: string, jobId: string, createdAtMs: number): PlanApp => ({
          id,
          clusterId: 'c1',
          jobId,
          team: 't1',
          priority: 0,
          createdAtMs,
          demand: { driver: { cores: 1, memoryMiB: 512 }, executors: { count: 0, each: { cores: 1, memoryMiB: 512 } } },
          concurrency: 'Allow',
        });
        const queued = [
          ...Array.from({ length: burst }, (_, i) => one(`burst-${String(i).padStart(4, '0')}`, 'burst', i)),
          one('lone', 'lone', burst),
        ];
        const result = plan({
          queued,
          running: [],
          clusters: [{ id: 'c1', capacity: { cores, memoryMiB: 1 << 20 } }],
          nowMs: burst,
        });
        expect(result.admit).toContain('lone');
      }),
    );
  });

  it('starts a small application of a team that holds nothing within one plan, whatever another team bursts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 40 }),
        (burst, executors, coresEach, spare) => {
          const queued = [
            ...Array.from({ length: burst }, (_, i) =>
              app(`burst-${String(i).padStart(4, '0')}`, {
                team: 'bulk',
                jobId: 'bulk-job',
                createdAtMs: i,
                demand: gang(executors, coresEach, 4096),
              }),
            ),
            app('small', { team: 'lone', jobId: 'lone-job', createdAtMs: burst }),
          ];
          // room for one gang of the burst and the small one, and maybe more
          const cores = 1 + executors * coresEach + 1 + spare;
          const result = plan({
            queued,
            running: [],
            clusters: [{ id: 'c1', capacity: { cores, memoryMiB: 1 << 22 } }],
            nowMs: burst,
          });
          expect(result.admit).toContain('small');
        },
      ),
    );
  });
});
