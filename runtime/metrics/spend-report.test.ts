import { describe, expect, it } from 'vitest';
import type { SpendRow } from '../domain/ports';
import { totalOf } from './spend-report';

function row(overrides: Partial<SpendRow>): SpendRow {
  return {
    applications: 1,
    cost: 0,
    executorCoreSeconds: 0,
    durationMs: 0,
    inputBytes: 0,
    outputBytes: 0,
    executorRunTimeMs: 0,
    measured: 1,
    ...overrides,
  };
}

describe('totalOf', () => {
  it('adds up every figure of the rows, as one ungrouped sum would', () => {
    const rows = [
      row({
        day: '2026-01-01',
        applications: 3,
        cost: 1.5,
        executorCoreSeconds: 3600,
        durationMs: 60_000,
        inputBytes: 10,
        outputBytes: 4,
        executorRunTimeMs: 900,
        measured: 2,
        currency: 'USD',
      }),
      row({
        day: '2026-01-02',
        applications: 2,
        cost: 0.25,
        executorCoreSeconds: 1800,
        durationMs: 30_000,
        inputBytes: 5,
        outputBytes: 1,
        executorRunTimeMs: 100,
        measured: 2,
        currency: 'USD',
      }),
    ];
    expect(totalOf(rows)).toEqual({
      applications: 5,
      cost: 1.75,
      executorCoreSeconds: 5400,
      durationMs: 90_000,
      inputBytes: 15,
      outputBytes: 5,
      executorRunTimeMs: 1000,
      measured: 4,
      currency: 'USD',
    });
  });

  it('keeps the greatest currency, as max(currency) in SQL, and none when no row is priced', () => {
    expect(totalOf([row({ currency: 'EUR' }), row({}), row({ currency: 'USD' })])?.currency).toBe('USD');
    expect(totalOf([row({}), row({})])).not.toHaveProperty('currency');
  });

  it('is undefined without rows: nothing ended in the range', () => {
    expect(totalOf([])).toBeUndefined();
  });
});
