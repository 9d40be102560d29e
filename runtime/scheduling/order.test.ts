import { describe, expect, it } from 'vitest';
import { app, gang } from './fixtures.test-helpers';
import { admissionOrder, shareBasis } from './order';
import type { PlanApp, PlanCluster } from './types';

const ids = (queued: PlanApp[], running: PlanApp[] = [], now = 0, aging = 0, clusters: PlanCluster[] = []) =>
  admissionOrder({ queued, running, clusters, nowMs: now }, aging).map((o) => o.app.id);

describe('admissionOrder', () => {
  it('puts higher priorities first, first come first served within one job', () => {
    expect(
      ids([
        app('low', { priority: -1, createdAtMs: 1 }),
        app('late', { createdAtMs: 3 }),
        app('early', { createdAtMs: 2 }),
        app('high', { priority: 5, createdAtMs: 4 }),
      ]),
    ).toEqual(['high', 'early', 'late', 'low']);
  });

  it('lets jobs take turns: a burst of one job holds another job back by one turn only', () => {
    const burst = Array.from({ length: 50 }, (_, i) => app(`a${i}`, { jobId: 'burst', createdAtMs: i }));
    const order = ids([...burst, app('b0', { jobId: 'small', createdAtMs: 100 })]);
    expect(order.indexOf('b0')).toBe(1);
    expect(order.slice(0, 3)).toEqual(['a0', 'b0', 'a1']);
  });

  it('lets teams take turns before their jobs do', () => {
    const order = ids([
      app('a1', { team: 'a', jobId: 'a-x', createdAtMs: 1 }),
      app('a2', { team: 'a', jobId: 'a-y', createdAtMs: 2 }),
      app('a3', { team: 'a', jobId: 'a-z', createdAtMs: 3 }),
      app('b1', { team: 'b', jobId: 'b-x', createdAtMs: 4 }),
    ]);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('counts what a job already runs: one that runs two waits behind one that runs none', () => {
    const running = [app('r1', { jobId: 'busy', team: 't1' }), app('r2', { jobId: 'busy', team: 't1' })];
    const order = ids(
      [
        app('busy-next', { jobId: 'busy', team: 't1', createdAtMs: 1 }),
        app('idle-next', { jobId: 'idle', team: 't2', createdAtMs: 2 }),
      ],
      running,
    );
    expect(order).toEqual(['idle-next', 'busy-next']);
  });

  it('counts turns per cluster: another cluster’s runs do not count', () => {
    const running = [app('r1', { jobId: 'x', team: 't1', clusterId: 'other' })];
    const order = ids(
      [app('x1', { jobId: 'x', team: 't1', createdAtMs: 1 }), app('y1', { jobId: 'y', team: 't2', createdAtMs: 2 })],
      running,
    );
    expect(order).toEqual(['x1', 'y1']);
  });

  it('ages waiting applications one priority level per agingSeconds', () => {
    const queued = [
      app('old-low', { priority: 0, createdAtMs: 0 }),
      app('new-high', { priority: 2, createdAtMs: 1_199_000, jobId: 'b' }),
    ];
    // at 20 minutes with 10-minute ageing the old one has gained two levels and was first
    expect(ids(queued, [], 1_200_000, 600)).toEqual(['old-low', 'new-high']);
    expect(ids(queued, [], 1_199_999, 600)).toEqual(['new-high', 'old-low']);
    expect(ids(queued, [], 1_200_000, 0)).toEqual(['new-high', 'old-low']);
  });

  it('breaks ties by id, whatever the order of the input', () => {
    const queued = [app('b', { jobId: 'j1' }), app('a', { jobId: 'j2' }), app('c', { jobId: 'j3' })];
    expect(ids(queued)).toEqual(['a', 'b', 'c']);
    expect(ids([...queued].reverse())).toEqual(['a', 'b', 'c']);
  });

  it('weighs fair share by resources: a team running one 16-core application waits behind one running two of 1 core', () => {
    const running = [
      app('big', { team: 'wide', jobId: 'w', demand: gang(15) }),
      app('s1', { team: 'narrow', jobId: 'n' }),
      app('s2', { team: 'narrow', jobId: 'n' }),
    ];
    const queued = [
      app('wide-next', { team: 'wide', jobId: 'w', createdAtMs: 1 }),
      app('narrow-next', { team: 'narrow', jobId: 'n', createdAtMs: 2 }),
    ];
    const capacity = [{ id: 'c1', capacity: { cores: 32, memoryMiB: 65536 } }];
    expect(ids(queued, running, 0, 0, capacity)).toEqual(['narrow-next', 'wide-next']);
  });

  it('counts each team by its dominant resource: memory-heavy work by its memory', () => {
    // 1 core of 32 but 60 GiB of 64 against 8 cores of 32 and 8 GiB: the first holds more
    const running = [
      app('heavy', {
        team: 'mem',
        jobId: 'm',
        demand: { driver: { cores: 1, memoryMiB: 61440 }, executors: { count: 0, each: { cores: 1, memoryMiB: 1 } } },
      }),
      app('wide', { team: 'cpu', jobId: 'c', demand: gang(7, 1, 1024) }),
    ];
    const queued = [
      app('mem-next', { team: 'mem', jobId: 'm', createdAtMs: 1 }),
      app('cpu-next', { team: 'cpu', jobId: 'c', createdAtMs: 2 }),
    ];
    const capacity = [{ id: 'c1', capacity: { cores: 32, memoryMiB: 65536 } }];
    expect(ids(queued, running, 0, 0, capacity)).toEqual(['cpu-next', 'mem-next']);
  });

  it('takes shares of the capacity, else of the quota, else of all the demand on the cluster', () => {
    const queued = [app('q', { demand: gang(3) })];
    const input = (clusters: PlanCluster[]) => ({
      queued,
      running: [app('r', { clusterId: 'c1' })],
      clusters,
      nowMs: 0,
    });
    expect(shareBasis(input([{ id: 'c1', capacity: { cores: 8, memoryMiB: 8192 } }])).get('c1')).toEqual({
      cores: 8,
      memoryMiB: 8192,
    });
    expect(shareBasis(input([{ id: 'c1', quota: { cores: 6 } }])).get('c1')).toEqual({ cores: 6, memoryMiB: 5120 });
    expect(shareBasis(input([])).get('c1')).toEqual({ cores: 5, memoryMiB: 5120 });
  });
});
