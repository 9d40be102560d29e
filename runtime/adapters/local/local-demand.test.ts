import { describe, expect, it } from 'vitest';
import { localDemand } from './local-demand';

const limits = { maxParallelism: 2, maxExecutorMemoryMiB: 2048, localCluster: true };

describe('localDemand', () => {
  it('counts local[N] as N cores in one JVM', () => {
    expect(localDemand({ driver: { cores: 1 } }, limits)).toEqual({
      driver: { cores: 1, memoryMiB: 1408 },
      executors: { count: 0, each: { cores: 0, memoryMiB: 0 } },
    });
    // nothing asked: every core the back-end allows
    expect(localDemand({ driver: { memory: '2g' } }, limits).driver).toEqual({ cores: 2, memoryMiB: 2048 + 384 });
  });

  it('counts local-cluster executors as JVMs of their own, the driver running no tasks', () => {
    expect(localDemand({ executor: { instances: 2, cores: 1, memory: '1g' } }, limits)).toEqual({
      driver: { cores: 0, memoryMiB: 1408 },
      executors: { count: 2, each: { cores: 1, memoryMiB: 1408 } },
    });
  });

  it('never counts more cores than the back-end gives', () => {
    expect(localDemand({ executor: { instances: 8, cores: 4 } }, limits).driver.cores).toBe(2);
  });
});
