import { describe, expect, it } from 'vitest';
import { app, cluster, gang } from './fixtures.test-helpers';
import { plan } from './planner';
import type { PlanInput } from './types';

const input = (overrides: Partial<PlanInput>): PlanInput => ({
  queued: [],
  running: [],
  clusters: [],
  nowMs: 0,
  ...overrides,
});
const twoCores = cluster({ id: 'local', capacity: { cores: 2, memoryMiB: 16384 } });

describe('plan', () => {
  it('admits what fits a 2-core cluster, in order, and says why the others wait', () => {
    const queued = [1, 2, 3, 4].map((n) => app(`a${n}`, { clusterId: 'local', jobId: `j${n}`, createdAtMs: n }));
    expect(plan(input({ queued, clusters: [twoCores] }))).toEqual({
      admit: ['a1', 'a2'],
      held: [
        { id: 'a3', reason: 'cluster local: 2/2 cores in use, needs 1', rule: 'capacity' },
        { id: 'a4', reason: 'cluster local: 2/2 cores in use, needs 1', rule: 'capacity' },
      ],
      rejected: [],
    });
  });

  it('counts the running applications', () => {
    const running = [app('r1', { clusterId: 'local', jobId: 'r', createdAtMs: 0 })];
    const queued = [
      app('a1', { clusterId: 'local', createdAtMs: 1 }),
      app('a2', { clusterId: 'local', createdAtMs: 2 }),
    ];
    expect(plan(input({ queued, running, clusters: [twoCores] })).admit).toEqual(['a1']);
  });

  it('keeps a large gang’s place: a later small one that would fit waits behind it', () => {
    const running = [app('r1', { clusterId: 'local', jobId: 'r' })];
    const queued = [
      app('big', { clusterId: 'local', jobId: 'big', demand: gang(1), createdAtMs: 1 }),
      app('small', { clusterId: 'local', jobId: 'small', createdAtMs: 2 }),
    ];
    expect(plan(input({ queued, running, clusters: [twoCores] })).held).toEqual([
      { id: 'big', reason: 'cluster local: 1/2 cores in use, needs 2', rule: 'capacity' },
      { id: 'small', reason: 'cluster local: queued behind big, which waits for room', rule: 'head-of-line' },
    ]);
  });

  it('rejects what can never fit without holding the others', () => {
    const queued = [
      app('huge', { clusterId: 'local', jobId: 'huge', demand: gang(4), createdAtMs: 1 }),
      app('small', { clusterId: 'local', jobId: 'small', createdAtMs: 2 }),
    ];
    expect(plan(input({ queued, clusters: [twoCores] }))).toEqual({
      admit: ['small'],
      held: [],
      rejected: [{ id: 'huge', reason: 'cluster local: needs 5 cores, more than its 2', rule: 'capacity' }],
    });
  });

  it('starts higher priorities first', () => {
    const queued = [
      app('first', { clusterId: 'local', jobId: 'x', createdAtMs: 1 }),
      app('urgent', { clusterId: 'local', jobId: 'y', priority: 10, demand: gang(1), createdAtMs: 2 }),
    ];
    const result = plan(input({ queued, clusters: [twoCores] }));
    expect(result.admit).toEqual(['urgent']);
    expect(result.held.map((h) => h.id)).toEqual(['first']);
  });

  it('holds a team at its quota while other teams go on', () => {
    const c = cluster({ id: 'prod', teamQuotas: { 'team-a': { cores: 64 } } });
    const running = [app('r', { clusterId: 'prod', team: 'team-a', jobId: 'r', demand: gang(63) })];
    const queued = [
      app('a1', { clusterId: 'prod', team: 'team-a', createdAtMs: 1 }),
      app('b1', { clusterId: 'prod', team: 'team-b', jobId: 'b', createdAtMs: 2 }),
    ];
    expect(plan(input({ queued, running, clusters: [c] }))).toEqual({
      admit: ['b1'],
      held: [{ id: 'a1', reason: 'quota team-a: 64/64 cores in use, needs 1', rule: 'team-quota' }],
      rejected: [],
    });
  });

  it('runs one application of a Forbid job at a time, the next ones in order', () => {
    const queued = [1, 2, 3].map((n) =>
      app(`nightly-${n}`, { jobId: 'nightly', concurrency: 'Forbid', createdAtMs: n }),
    );
    expect(plan(input({ queued, clusters: [cluster()] }))).toEqual({
      admit: ['nightly-1'],
      held: [
        { id: 'nightly-2', reason: 'job nightly: concurrency Forbid, run nightly-1 active', rule: 'concurrency' },
        { id: 'nightly-3', reason: 'job nightly: concurrency Forbid, run nightly-1 active', rule: 'concurrency' },
      ],
      rejected: [],
    });
  });

  it('plans each cluster on its own, and a cluster it was not told about has no limits', () => {
    const queued = [
      app('l1', { clusterId: 'local', jobId: 'l', demand: gang(1) }),
      app('l2', { clusterId: 'local', jobId: 'l', demand: gang(1), createdAtMs: 1 }),
      app('k1', { clusterId: 'k8s', jobId: 'k', demand: gang(100) }),
    ];
    const result = plan(input({ queued, clusters: [twoCores] }));
    expect(result.admit).toEqual(['k1', 'l1']);
    expect(result.held.map((h) => h.id)).toEqual(['l2']);
  });

  it('places gangs on the free room of the nodes', () => {
    const nodes = [
      { cores: 4, memoryMiB: 8192 },
      { cores: 2, memoryMiB: 8192 },
    ];
    const c = cluster({ id: 'k8s', nodes });
    const queued = [
      app('a', { clusterId: 'k8s', jobId: 'a', demand: gang(1, 3), createdAtMs: 1 }), // 3 + 1 cores
      app('b', { clusterId: 'k8s', jobId: 'b', demand: gang(1, 1), createdAtMs: 2 }), // 1 + 1 cores
      app('c', { clusterId: 'k8s', jobId: 'c', demand: gang(0), createdAtMs: 3 }),
    ];
    const result = plan(input({ queued, clusters: [c] }));
    expect(result.admit).toEqual(['a', 'b']);
    expect(result.held[0]?.rule).toBe('capacity');
  });

  it('ages a low priority past a steady higher one', () => {
    const queued = [
      app('low', { clusterId: 'local', jobId: 'low', priority: 0, createdAtMs: 0, demand: gang(1) }),
      app('high', { clusterId: 'local', jobId: 'high', priority: 1, createdAtMs: 599_000, demand: gang(1) }),
    ];
    expect(plan(input({ queued, clusters: [twoCores], nowMs: 599_999 })).admit).toEqual(['high']);
    // waited 20 minutes: two levels gained under the 10-minute default
    expect(plan(input({ queued, clusters: [twoCores], nowMs: 1_200_000 })).admit).toEqual(['low']);
    expect(plan(input({ queued, clusters: [twoCores], nowMs: 1_200_000 }), { agingSeconds: 0 }).admit).toEqual([
      'high',
    ]);
  });
});
