import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/support/memory-store';
import { localKnobs } from '../domain/backend-knobs';
import { emptyRunMetrics } from '../domain/metrics';
import type { StoredJob } from '../domain/ports';
import { recommendationFor, TuningLayer } from './tuning-layer';

/** Counts the history reads the layer makes. */
class CountingStore extends MemoryStore {
  historyReads = 0;
  override listApplications(...args: Parameters<MemoryStore['listApplications']>) {
    this.historyReads += 1;
    return super.listApplications(...args);
  }
}

const job: StoredJob = {
  id: 'nightly',
  clusterId: 'local',
  config: {},
  tuning: { mode: 'auto', objective: 'cost' },
  concurrencyPolicy: 'Allow',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
};

describe('TuningLayer', () => {
  it('reads a job history once until a run ends, the policy changes or the time-to-live passes', async () => {
    let nowMs = Date.parse('2026-03-01T00:00:00Z');
    const store = new CountingStore();
    const layer = new TuningLayer(store, { now: () => new Date(nowMs) }, {}, 10_000);
    const input = {
      cluster: { id: 'local', backend: 'local' as const, settings: {}, createdAt: '', updatedAt: '' },
      job,
      overrides: {},
    };
    await layer.provider(input);
    await layer.provider(input);
    expect(store.historyReads).toBe(1);
    layer.forget('nightly');
    await layer.provider(input);
    expect(store.historyReads).toBe(2);
    await layer.provider({ ...input, job: { ...job, tuning: { mode: 'auto', objective: 'duration' } } });
    expect(store.historyReads).toBe(3);
    nowMs += 10_001;
    await layer.provider({ ...input, job: { ...job, tuning: { mode: 'auto', objective: 'duration' } } });
    expect(store.historyReads).toBe(4);
  });

  it('reads nothing for a job whose tuning is not automatic', async () => {
    const store = new CountingStore();
    const layer = new TuningLayer(store, { now: () => new Date() });
    const off = { ...job, tuning: { mode: 'recommend-only' as const, objective: 'cost' as const } };
    const input = {
      cluster: { id: 'local', backend: 'local' as const, settings: {}, createdAt: '', updatedAt: '' },
      job: off,
      overrides: {},
    };
    expect(await layer.provider(input)).toBeUndefined();
    expect(store.historyReads).toBe(0);
  });
});

describe('recommendationFor', () => {
  it("tunes for the cluster's back-end knobs and prices: nothing a local cluster cannot honour", async () => {
    const store = new MemoryStore();
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    const config = { executor: { instances: 4, cores: 2, memory: '8g', spot: false, instanceType: 'm5.xlarge' } };
    const sized: StoredJob = { ...job, config, tuning: { mode: 'auto', objective: 'cost', pin: [] } };
    const gib = 1024 ** 3;
    await store.insertApplication({
      id: 'nightly-1',
      clusterId: 'local',
      jobId: 'nightly',
      state: 'COMPLETED',
      submissionSource: 'api',
      configOverrides: {},
      config,
      provenance: Object.fromEntries(
        ['instances', 'cores', 'memory', 'spot', 'instanceType'].map((k) => [`/executor/${k}`, 'job' as const]),
      ),
      metrics: {
        ...emptyRunMetrics(),
        durationMs: 600_000,
        inputBytes: 20 * gib,
        peakJvmMemoryBytes: 2 * gib,
        executorRunTimeMs: 1_000_000,
        efficiency: 0.1,
        tasks: { completed: 100, failed: 0, killed: 0 },
        executors: [{ executorId: '1', cores: 2, addedAt: 0 }],
        cost: { total: 0.2, currency: 'USD', method: 'test' },
      },
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    const rec = await recommendationFor(store, sized, { knobsOf: () => localKnobs({ maxParallelism: 8 }) });
    const local = new Set(['/executor/instances', '/executor/cores', '/driver/memory']);
    for (const change of rec.changes) {
      expect(local.has(change.pointer) || change.pointer.startsWith('/sparkConf/spark.sql.')).toBe(true);
    }
    expect(rec.tuning.executor?.spot).toBeUndefined();
    for (const ptr of ['/executor/spot', '/executor/instanceType', '/executor/memory']) {
      expect(rec.held.find((h) => h.pointer === ptr)?.why).toBe('backend');
    }
    // no instance type is priced for the cluster: the local prices, never a cloud list price
    const executors = rec.changes.find((c) => c.pointer === '/executor/instances');
    expect(executors?.reason).toContain("priced with the cluster's prices per resource (0.04048/core-hour");
  });
});
