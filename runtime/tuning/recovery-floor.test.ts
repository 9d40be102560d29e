import { describe, expect, it } from 'vitest';
import type { MemoryRecovery } from '../domain/recovery';
import { GIB, MIB, run } from './fixtures.test-helpers';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const policy = { mode: 'auto' as const, objective: 'cost' as const };
const OOM_REASON = 'driver memory 1g -> 2g: nightly-1 ran out of memory (java.lang.OutOfMemoryError: Java heap space)';
const recovery: MemoryRecovery = { driverMemory: '2048m', reason: OOM_REASON, fromAppId: 'nightly-1' };

/** A run after recovery doubled the driver's heap, whose driver then peaked at 300 MiB: the driver rule would cut it. */
function recovered(extra: Partial<TuningRun> = {}): TuningRun {
  return run(
    { tuning: { driver: { memory: '2048m' } } },
    { executors: [{ executorId: 'driver', cores: 1, addedAt: 0, peakJvmMemoryBytes: 300 * MIB }] },
    { appId: 'nightly-2', memoryRecovery: recovery, ...extra },
  );
}

describe('memory set by out-of-memory recovery', () => {
  it('is never tuned below, and the recommendation quotes the out-of-memory reason', () => {
    const rec = recommend({ history: [recovered()], policy });
    expect(rec.changes.find((c) => c.pointer === '/driver/memory')).toBeUndefined();
    const quoted = `driver memory 2g after out-of-memory in run nightly-1: ${OOM_REASON}`;
    expect(rec.notes).toContain(quoted);
    const held = rec.held.find((h) => h.pointer === '/driver/memory');
    expect(held?.why).toBe('recovery');
    expect(held?.reason).toContain(quoted);
    expect(held?.reason).toContain('would set 1g');
    expect(rec.tuning.driver?.memory).toBe('2048m');
  });

  it('without recovery the same run has its driver memory cut (the floor is what holds it)', () => {
    const rec = recommend({ history: [recovered({ memoryRecovery: undefined })], policy });
    expect(rec.changes.find((c) => c.pointer === '/driver/memory')?.to).toBe('1024m');
  });

  it('a return to a best run from before the out-of-memory keeps the recovered memory', () => {
    const before = run(
      { tuning: { driver: { memory: '1024m' } } },
      { cost: { total: 1, currency: 'USD', method: 't' } },
    );
    // the recovered run cost far more per GiB: a regression, so the tuner goes back to `before`
    const after = recovered({ metrics: { ...recovered().metrics!, cost: { total: 3, currency: 'USD', method: 't' } } });
    const rec = recommend({ history: [before, after], policy });
    expect(rec.notes.some((n) => n.startsWith('returning to the best known config'))).toBe(true);
    expect(rec.tuning.driver?.memory).toBe('2048m');
    expect(rec.changes.find((c) => c.pointer === '/driver/memory')).toBeUndefined();
    expect(rec.notes).toContain(`driver memory 2g after out-of-memory in run nightly-1: ${OOM_REASON}`);
  });

  it('reads executor memory too', () => {
    const rec = recommend({
      history: [
        run(
          {},
          { peakJvmMemoryBytes: 3 * GIB },
          {
            appId: 'r-2',
            memoryRecovery: {
              executorMemory: '16g',
              reason: 'executor memory 8g -> 16g: r-1 ran out of memory (exit 137)',
              fromAppId: 'r-1',
            },
          },
        ),
      ],
      policy,
      options: { useModel: false },
    });
    expect(rec.changes.find((c) => c.pointer === '/executor/memory')).toBeUndefined();
    expect(rec.held.find((h) => h.pointer === '/executor/memory')?.reason).toContain(
      'executor memory 16g after out-of-memory in run r-1: executor memory 8g -> 16g: r-1 ran out of memory (exit 137)',
    );
  });
});
