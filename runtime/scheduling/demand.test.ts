import { describe, expect, it } from 'vitest';
import { demandOf, KUBERNETES_POD_DEFAULTS, totalOf } from './demand';

describe('demandOf', () => {
  it('fills in what Spark does by default: 1 core and 1g plus 384m overhead per pod, 2 executors', () => {
    expect(demandOf({})).toEqual({
      driver: { cores: 1, memoryMiB: 1408 },
      executors: { count: 2, each: { cores: 1, memoryMiB: 1408 } },
    });
  });

  it('takes the cores, memory, overhead and instances of the config', () => {
    const demand = demandOf({
      driver: { cores: 2, memory: '4g', memoryOverhead: '1g' },
      executor: { instances: 3, cores: 4, memory: '8g' },
    });
    // executor overhead: 10% of 8 GiB is above the 384m floor
    expect(demand).toEqual({
      driver: { cores: 2, memoryMiB: 5120 },
      executors: { count: 3, each: { cores: 4, memoryMiB: 8192 + 820 } },
    });
    expect(totalOf(demand)).toEqual({ cores: 14, memoryMiB: 5120 + 3 * 9012 });
  });

  it('applies the overhead factor of the config', () => {
    expect(demandOf({ memoryOverheadFactor: '0.5', driver: { memory: '2g' } }).driver.memoryMiB).toBe(3072);
  });

  it('asks for the initial executors under dynamic allocation: the largest of initial, min and instances', () => {
    const dynamic = (conf: Record<string, string>, instances?: number) =>
      demandOf({
        sparkConf: { 'spark.dynamicAllocation.enabled': 'true', ...conf },
        ...(instances !== undefined ? { executor: { instances } } : {}),
      }).executors.count;
    expect(dynamic({})).toBe(0);
    expect(dynamic({ 'spark.dynamicAllocation.minExecutors': '3' })).toBe(3);
    expect(
      dynamic({ 'spark.dynamicAllocation.minExecutors': '1', 'spark.dynamicAllocation.initialExecutors': '5' }),
    ).toBe(5);
    expect(dynamic({ 'spark.dynamicAllocation.initialExecutors': '2' }, 4)).toBe(4);
  });

  it('counts zero executors as zero (a driver-only application)', () => {
    expect(totalOf(demandOf({ executor: { instances: 0 } }))).toEqual({ cores: 1, memoryMiB: 1408 });
  });

  it('with Kubernetes defaults: 6 executors of 4 cores, 2 GiB of heap a core, 40 % overhead for Python', () => {
    expect(demandOf({ mainApplicationFile: 'main.py' }, KUBERNETES_POD_DEFAULTS)).toEqual({
      driver: { cores: 1, memoryMiB: 2048 + 820 },
      executors: { count: 6, each: { cores: 4, memoryMiB: 8192 + 3277 } },
    });
    // a JVM application keeps Spark's 10 %; Spark's own defaults know no Python factor
    expect(demandOf({ type: 'Scala' }, KUBERNETES_POD_DEFAULTS).driver.memoryMiB).toBe(2048 + 384);
    expect(demandOf({ mainApplicationFile: 'main.py' }).driver.memoryMiB).toBe(1024 + 384);
  });

  it('counts a pod’s coreRequest, what the node gives it, rather than its cores', () => {
    expect(demandOf({ driver: { cores: 2, coreRequest: '1500m' } }).driver.cores).toBe(1.5);
  });
});
