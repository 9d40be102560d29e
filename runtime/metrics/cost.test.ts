import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors';
import { emptyRunMetrics, type RunMetrics } from '../domain/metrics';
import { parsePriceTable, placementFromMetrics, priceRun, type RunPlacement } from './cost';

const HOUR = 3_600_000;

function metrics(overrides: Partial<RunMetrics> = {}): RunMetrics {
  return { ...emptyRunMetrics(), durationMs: HOUR, ...overrides };
}

describe('price table', () => {
  it('defaults to local per core-hour and per GiB-hour prices in USD', () => {
    expect(parsePriceTable(undefined)).toEqual({
      currency: 'USD',
      local: { perCoreHour: 0.04048, perGiBHour: 0.004445 },
      instances: [],
    });
  });

  it('rejects bad values naming the field', () => {
    const bad = () =>
      parsePriceTable({
        local: { perCoreHour: -1 },
        instances: [
          {
            instanceType: 'm5.xlarge',
            region: 'us-east-1',
            capacityType: 'preemptible',
            pricePerHour: 0.19,
            vcpus: 4,
            memoryGiB: 16,
          },
        ],
      });
    expect(bad).toThrow(DomainError);
    expect(bad).toThrow(/priceTable\.local\.perCoreHour: -1 is too small/);
    expect(bad).toThrow(/priceTable\.instances\[0\]\.capacityType: "preemptible" is not one of "spot", "on-demand"/);
  });
});

describe('priceRun', () => {
  const table = parsePriceTable({
    local: { perCoreHour: 0.04, perGiBHour: 0.005 },
    instances: [
      {
        instanceType: 'm5.xlarge',
        region: 'us-east-1',
        capacityType: 'on-demand',
        pricePerHour: 0.192,
        vcpus: 4,
        memoryGiB: 16,
      },
      {
        instanceType: 'm5.xlarge',
        region: 'us-east-1',
        capacityType: 'spot',
        pricePerHour: 0.08,
        vcpus: 4,
        memoryGiB: 16,
      },
    ],
  });

  it('prices a local process by cores and memory over its lifetime', () => {
    const placement: RunPlacement = {
      pods: [{ name: 'driver', cores: 2, memoryMiB: 3072, startedAtMs: 0, endedAtMs: 1.5 * HOUR }],
    };
    const cost = priceRun(metrics(), placement, table);
    // 3 core-hours x 0.04 + 4.5 GiB-hours x 0.005
    expect(cost.total).toBeCloseTo(0.1425, 9);
    expect(cost.method).toBe('3 core-hours x 0.04 + 4.5 GiB-hours x 0.005');
    expect(cost.currency).toBe('USD');
  });

  it('charges a pod on a known instance the larger of its CPU and memory share', () => {
    const pod = {
      cores: 1,
      memoryMiB: 8 * 1024,
      startedAtMs: 0,
      endedAtMs: 2 * HOUR,
      instanceType: 'm5.xlarge',
      region: 'us-east-1',
    };
    const onDemand = priceRun(metrics(), { pods: [{ name: 'e1', ...pod, capacityType: 'on-demand' }] }, table);
    // memory share 8/16 beats CPU share 1/4: 0.5 x 2 h x 0.192
    expect(onDemand.total).toBeCloseTo(0.192, 9);
    const spot = priceRun(metrics(), { pods: [{ name: 'e1', ...pod, capacityType: 'spot' }] }, table);
    expect(spot.total).toBeCloseTo(0.08, 9);
    expect(spot.method).toContain('m5.xlarge spot us-east-1');
  });

  it('falls back to the per-core and per-GiB prices for an instance type not in the table', () => {
    const pod = {
      name: 'e1',
      cores: 4,
      memoryMiB: 1024,
      startedAtMs: 0,
      endedAtMs: HOUR,
      instanceType: 'x9.huge',
      region: 'mars-1',
    };
    expect(priceRun(metrics(), { pods: [pod] }, table).total).toBeCloseTo(4 * 0.04 + 0.005, 9);
  });

  it('derives the pods from the metrics when no placement is known', () => {
    const m = metrics({
      durationMs: HOUR,
      executors: [
        { executorId: '1', cores: 4, addedAt: 0, removedAt: HOUR },
        { executorId: '2', cores: 4, addedAt: 0, removedAt: HOUR / 2 },
      ],
      sparkProperties: { 'spark.executor.memory': '4g', 'spark.driver.memory': '2g' },
    });
    const placement = placementFromMetrics(m);
    // executors: 4g + max(384m, 10%) overhead; driver: 2g + 384m for the whole run
    expect(placement.pods.map((p) => [p.name, p.cores, p.memoryMiB, p.endedAtMs - p.startedAtMs])).toEqual([
      ['executor-1', 4, 4096 + 410, HOUR],
      ['executor-2', 4, 4096 + 410, HOUR / 2],
      ['driver', 1, 2048 + 384, HOUR],
    ]);
    const cost = priceRun(m, undefined, table);
    const coreHours = 4 + 2 + 1;
    const gibHours = (4506 * 1.5 + 2432) / 1024;
    expect(cost.total).toBeCloseTo(coreHours * 0.04 + gibHours * 0.005, 5);
  });

  it('treats the local-mode driver as the one process', () => {
    const m = metrics({
      executors: [{ executorId: 'driver', cores: 2, addedAt: 0, removedAt: HOUR }],
      sparkProperties: { 'spark.driver.memory': '512m' },
    });
    expect(placementFromMetrics(m).pods).toEqual([
      { name: 'driver', cores: 2, memoryMiB: 512 + 384, startedAtMs: 0, endedAtMs: HOUR },
    ]);
  });
});
