import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/support/memory-store';
import { JobSpec } from '../domain/resources';
import { jobCachingStore } from './job-cache';

describe('jobCachingStore', () => {
  const setUp = () => {
    let nowMs = Date.parse('2026-12-04T12:00:00Z');
    const clock = { now: () => new Date(nowMs) };
    const durable = new MemoryStore(clock);
    let reads = 0;
    const getJob = durable.getJob.bind(durable);
    durable.getJob = (id) => {
      reads += 1;
      return getJob(id);
    };
    const store = jobCachingStore(durable, clock, 2000);
    return { durable, store, reads: () => reads, advance: (ms: number) => (nowMs += ms) };
  };

  it('reads a job once within its time to live, then again', async () => {
    const { durable, store, reads, advance } = setUp();
    await durable.putJob(JobSpec.parse({ id: 'daily', clusterId: 'local', config: { sparkConf: { a: '1' } } }));
    await store.getJob('daily');
    advance(1999);
    expect((await store.getJob('daily'))?.config).toEqual({ sparkConf: { a: '1' } });
    expect(reads()).toBe(1);
    // a change another replica made is seen once the entry expired
    await durable.putJob(JobSpec.parse({ id: 'daily', clusterId: 'local', config: { sparkConf: { a: '2' } } }));
    advance(1);
    expect((await store.getJob('daily'))?.config).toEqual({ sparkConf: { a: '2' } });
    expect(reads()).toBe(2);
  });

  it('forgets a job this runtime puts or ensures, so the next read sees the write', async () => {
    const { store, reads } = setUp();
    expect(await store.getJob('daily')).toBeUndefined();
    await store.ensureJob(JobSpec.parse({ id: 'daily', clusterId: 'local' }));
    expect((await store.getJob('daily'))?.clusterId).toBe('local');
    await store.putJob(JobSpec.parse({ id: 'daily', clusterId: 'other' }));
    expect((await store.getJob('daily'))?.clusterId).toBe('other');
    // unknown jobs are not cached: each read asks the store
    expect(reads()).toBe(3);
  });

  it('passes every other call to the store', async () => {
    const { store } = setUp();
    expect(await store.listJobs({}, 10)).toEqual({ items: [] });
  });
});
