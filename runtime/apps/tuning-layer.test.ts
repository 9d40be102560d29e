import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/support/memory-store';
import type { StoredJob } from '../domain/ports';
import { TuningLayer } from './tuning-layer';

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
