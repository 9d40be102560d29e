/**
 * The store, trusting the jobs it read for a while: every submission reads its job, and jobs
 * change seldom. What this runtime writes to a job (put, ensure) it forgets at once; what another
 * replica changes is seen within the time to live, as for clusters and tokens.
 */
import type { Clock, Store, StoredJob } from '../domain/ports';
import { ExpiringCache } from './expiring-cache';

/** How long a job read from the store is trusted. @default 2000 */
const DEFAULT_TTL_MS = 2000;

export function jobCachingStore<S extends Store>(store: S, clock: Clock, ttlMs = DEFAULT_TTL_MS): S {
  const jobs = new ExpiringCache<string, StoredJob>(clock, ttlMs);
  const getJob: Store['getJob'] = async (id) => {
    const cached = jobs.get(id);
    if (cached) return cached;
    const job = await store.getJob(id);
    if (job) jobs.set(id, job);
    return job;
  };
  const forgetting =
    <A extends [{ id: string }], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      jobs.delete(args[0].id);
      try {
        return await write(...args);
      } finally {
        // a read that raced the write may have cached the job as it was
        jobs.delete(args[0].id);
      }
    };
  const putJob = forgetting(store.putJob.bind(store));
  const ensureJob = forgetting(store.ensureJob.bind(store));
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getJob') return getJob;
      if (property === 'putJob') return putJob;
      if (property === 'ensureJob') return ensureJob;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
