import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApplicationConfig } from '../domain/config';
import { type ConfigLayer, mergeConfig, valueAtPointer } from '../domain/merge';
import { GIB, run, TEMPLATE } from './fixtures.test-helpers';
import { POINTERS } from './knobs';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const policy = { mode: 'auto' as const, objective: 'cost' as const };
/** An over-provisioned run: 40 executors x 4 cores mostly idle. */
const overProvisioned = () =>
  run(
    { tuning: { executor: { instances: 40 } } },
    { efficiency: 0.2, peakJvmMemoryBytes: 4 * GIB, cost: { total: 4, currency: 'USD', method: 't' } },
  );

describe('recommend', () => {
  it('never throws on a history of measured, unmeasured, incomplete and failed runs, in any order', () => {
    const kinds: (() => TuningRun)[] = [
      overProvisioned,
      () => ({ ...overProvisioned(), metrics: undefined, stages: undefined }),
      () => ({
        ...overProvisioned(),
        state: 'FAILED',
        stateReason: 'exit code 1',
        metrics: undefined,
        stages: undefined,
      }),
      () => run({}, { incomplete: true, tasks: { completed: 0, failed: 0, killed: 0 } }, { stages: [] }),
    ];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: kinds.length - 1 }), { minLength: 1, maxLength: 6 }), (picks) => {
        const rec = recommend({ history: picks.map((i) => kinds[i]!()), policy });
        expect(Array.isArray(rec.changes)).toBe(true);
      }),
    );
  });

  it('tunes from the last measured run when the latest completed run has no metrics', () => {
    const unmeasured: TuningRun = { ...overProvisioned(), metrics: undefined, stages: undefined };
    const rec = recommend({ history: [overProvisioned(), unmeasured], policy });
    expect(Number(rec.changes.find((c) => c.pointer === POINTERS.instances)?.to)).toBeLessThan(40);
  });

  it('predicts before it tries: fewer executors for an idle run, with a model prediction', () => {
    const rec = recommend({ history: [overProvisioned()], policy });
    const executors = rec.changes.find((c) => c.pointer === POINTERS.instances);
    expect(Number(executors?.to)).toBeLessThan(40);
    expect(executors?.reason).toMatch(/stage replay .* predicts \d+ s/);
    expect(rec.prediction?.cost).toBeLessThan(4);
    expect(rec.changes.length).toBeLessThanOrEqual(4);
    expect(rec.applied).toBe(true);
  });

  it('becomes the tuning layer of the merge, under job config and overrides', () => {
    const rec = recommend({ history: [overProvisioned()], policy });
    expect(rec.changes.some((c) => c.pointer === POINTERS.memory)).toBe(true);
    const job: ApplicationConfig = { executor: { cores: 4 } };
    const overrides: ApplicationConfig = { executor: { memory: '12g' } };
    const { config, provenance } = mergeConfig({ template: TEMPLATE, tuning: rec.tuning, job, overrides });
    expect(config.executor?.memory).toBe('12g');
    expect(provenance['/executor/memory']).toBe('overrides');
    expect(provenance['/executor/instances']).toBe('tuning');
    expect(config.executor?.instances).toBe(rec.tuning.executor?.instances);
  });

  it('never changes a value from the job config or the overrides (any provenance)', () => {
    const knobs = Object.values(POINTERS);
    const layer = fc.constantFrom<ConfigLayer | undefined>('template', 'tuning', 'job', 'overrides', undefined);
    fc.assert(
      fc.property(
        fc.array(layer, { minLength: knobs.length, maxLength: knobs.length }),
        fc.boolean(),
        (layers, spill) => {
          const r = overProvisioned();
          if (spill) r.metrics!.memorySpillBytes = 20 * GIB;
          r.provenance = { ...r.provenance };
          knobs.forEach((ptr, i) => {
            const l = layers[i];
            if (l) r.provenance[ptr] = l;
            else delete r.provenance[ptr];
          });
          const rec = recommend({ history: [r], policy });
          for (const change of rec.changes) expect(['job', 'overrides']).not.toContain(r.provenance[change.pointer]);
          for (const [ptr, l] of Object.entries(r.provenance)) {
            if (l === 'job' || l === 'overrides') expect(valueAtPointer(rec.tuning, ptr)).toBeUndefined();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('returns to the best known config after a regression', () => {
    const good = run(
      { tuning: { executor: { instances: 8, memory: '8g' } } },
      { cost: { total: 1, currency: 'USD', method: 't' } },
    );
    const worse = run(
      { tuning: { executor: { instances: 5, memory: '6g' } } },
      { cost: { total: 1.5, currency: 'USD', method: 't' } },
    );
    const rec = recommend({ history: [good, worse], policy });
    expect(rec.tuning.executor).toMatchObject({ instances: 8, memory: '8g' });
    expect(rec.changes.map((c) => c.reason).join()).toContain('50% worse than the best run');
    expect(rec.notes.join()).toContain('returning to the best known config');
  });

  it('returns to the best known config after a failure, and does not try the failed config again', () => {
    const good = run({ tuning: { executor: { instances: 8, memory: '8g' } } }, { peakJvmMemoryBytes: 7.9 * GIB });
    const failed = run(
      { tuning: { executor: { instances: 8, memory: '4g' } } },
      {},
      { state: 'FAILED', stateReason: 'OutOfMemoryError' },
    );
    const back = recommend({ history: [good, failed], policy });
    expect(back.tuning.executor?.memory).toBe('8g');
    const again = recommend({
      history: [good, failed, run({ tuning: back.tuning }, { peakJvmMemoryBytes: 7.9 * GIB })],
      policy,
    });
    expect(again.tuning.executor?.memory).not.toBe('4g');
  });

  it('treats a spot interruption as noise: the same recommendation as without that run', () => {
    const first = overProvisioned();
    const interrupted = run(
      { tuning: { executor: { instances: 40 } } },
      { executorsLost: [{ executorId: '3', reason: 'node reclaimed: spot interruption' }] },
      { state: 'FAILED', stateReason: 'executors lost' },
    );
    const withNoise = recommend({ history: [first, interrupted], policy });
    const without = recommend({ history: [first], policy });
    expect(withNoise.tuning).toEqual(without.tuning);
    expect(withNoise.notes.join()).toContain('spot interruption: ignored as noise');
  });

  it('does not mistake a bigger input for a worse config', () => {
    const tuning = { executor: { instances: 8, memory: '8g' } };
    const small = run({ tuning }, { cost: { total: 1, currency: 'USD', method: 't' } });
    const big = run(
      { tuning },
      { inputBytes: 40 * GIB, durationMs: 1_150_000, cost: { total: 1.9, currency: 'USD', method: 't' } },
    );
    const rec = recommend({ history: [small, big], policy });
    expect(rec.notes.join()).not.toContain('returning to the best known config');
  });

  it('treats a run over the duration limit as a regression', () => {
    const within = { ...policy, objective: 'cost-within-duration' as const, maxDurationSeconds: 700 };
    const fast = run(
      { tuning: { executor: { instances: 12 } } },
      { durationMs: 500_000, cost: { total: 1.2, currency: 'USD', method: 't' } },
    );
    const slow = run(
      { tuning: { executor: { instances: 4 } } },
      { durationMs: 900_000, cost: { total: 0.8, currency: 'USD', method: 't' } },
    );
    const rec = recommend({ history: [fast, slow], policy: within });
    expect(rec.tuning.executor?.instances).toBe(12);
    expect(rec.changes[0]?.reason).toContain('over the 700 s limit');
  });

  it('recommend-only computes the same changes but does not apply them; off returns nothing', () => {
    const history: TuningRun[] = [overProvisioned()];
    const auto = recommend({ history, policy });
    const only = recommend({ history, policy: { ...policy, mode: 'recommend-only' } });
    expect(only.changes).toEqual(auto.changes);
    expect(only.tuning).toEqual(auto.tuning);
    expect(only.applied).toBe(false);
    const off = recommend({ history, policy: { ...policy, mode: 'off' } });
    expect(off).toMatchObject({ applied: false, tuning: {}, changes: [] });
  });
});
