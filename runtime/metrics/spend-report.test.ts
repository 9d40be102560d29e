import { describe, expect, it } from 'vitest';
import type { SpendRow } from '../domain/ports';
import { dailyGroups, daysOf, efficiencyOf, OTHER_KEY, totalOf } from './spend-report';

const row = (over: Partial<SpendRow>): SpendRow => ({
  applications: 1,
  cost: 0,
  executorCoreSeconds: 0,
  durationMs: 0,
  inputBytes: 0,
  outputBytes: 0,
  executorRunTimeMs: 0,
  measured: 1,
  ...over,
});

describe('spend report', () => {
  it('lists every UTC day the range touches, the end excluded', () => {
    expect(daysOf('2026-01-30T12:00:00Z', '2026-02-02T00:00:00Z')).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
    expect(daysOf('2026-01-30T00:00:00Z', '2026-01-30T00:00:01Z')).toEqual(['2026-01-30']);
  });

  it('gives each day its top groups, largest first, then the rest of the day as one group', () => {
    const days = dailyGroups({
      days: ['2026-01-01', '2026-01-02'],
      topRows: [
        row({ day: '2026-01-01', key: 'a', cost: 1, executorCoreSeconds: 3600 }),
        row({ day: '2026-01-01', key: 'b', cost: 3 }),
      ],
      dayTotals: [
        row({ day: '2026-01-01', applications: 5, cost: 10, executorCoreSeconds: 7200, durationMs: 3_600_000 }),
      ],
    });
    expect(days[0]!.groups.map((g) => [g.key, g.cost, g.applications])).toEqual([
      ['b', 3, 1],
      ['a', 1, 1],
      [OTHER_KEY, 6, 3],
    ]);
    expect(days[0]!.groups.find((g) => g.key === OTHER_KEY)).toMatchObject({ coreHours: 1, applicationHours: 1 });
    expect(days[1]).toEqual({ day: '2026-01-02', groups: [] });
  });

  it('computes efficiency from the measured runs only', () => {
    expect(efficiencyOf(row({ executorRunTimeMs: 50_000, executorCoreSeconds: 100 }))).toBe(0.5);
    expect(efficiencyOf(row({ measured: 0 }))).toBeUndefined();
    expect(efficiencyOf(undefined)).toBeUndefined();
  });
});

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
