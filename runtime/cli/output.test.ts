import { describe, expect, it } from 'vitest';
import { amount, bytes, duration, elapsed, fields, format, percent, sparkline, table } from './output';

describe('format', () => {
  it('prints absent values as "-", objects as JSON, the rest as text', () => {
    expect(format(undefined)).toBe('-');
    expect(format(null)).toBe('-');
    expect(format('')).toBe('-');
    expect(format({ instances: 1 })).toBe('{"instances":1}');
    expect(format(0)).toBe('0');
    expect(format('RUNNING')).toBe('RUNNING');
  });
});

describe('duration and elapsed', () => {
  it('prints seconds under a minute, minutes and padded seconds under an hour, then hours and minutes', () => {
    expect(duration(42_400)).toBe('42s');
    expect(duration(65_000)).toBe('1m05s');
    expect(duration(2 * 3600_000 + 5 * 60_000 + 20_000)).toBe('2h05m');
  });

  it('is undefined before the start, and counts to now while running', () => {
    expect(elapsed(undefined, '2026-01-01T00:00:10Z')).toBeUndefined();
    expect(elapsed('2026-01-01T00:00:00Z', '2026-01-01T00:00:42Z')).toBe(42_000);
    expect(elapsed('2026-01-01T00:00:00Z', undefined, Date.parse('2026-01-01T00:01:00Z'))).toBe(60_000);
  });
});

describe('bytes, amount, percent', () => {
  it('prints binary units with one decimal', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(3.25 * 1024 ** 3)).toBe('3.3 GiB');
  });

  it('prints amounts below 1 to two significant digits, above to two decimals', () => {
    expect(amount(0)).toBe('0');
    expect(amount(0.0021234)).toBe('0.0021');
    expect(amount(0.02)).toBe('0.02');
    expect(amount(0.1)).toBe('0.1');
    expect(amount(12.345)).toBe('12.35');
  });

  it('prints shares as whole percentages', () => {
    expect(percent(0.634)).toBe('63%');
  });
});

describe('sparkline', () => {
  it('scales from the smallest to the largest value, flat when all are equal', () => {
    expect(sparkline([1, 2, 3, 8])).toBe('▁▂▃█');
    expect(sparkline([5, 5])).toBe('▁▁');
  });
});

describe('table', () => {
  it('aligns the columns under their headers, 3 spaces apart, without trailing blanks', () => {
    const text = table(
      [
        { id: 'a-long-id', state: 'COMPLETED' },
        { id: 'b', state: undefined },
      ],
      [
        { header: 'APP', value: (r: { id: string; state?: string }) => r.id },
        { header: 'STATE', value: (r: { id: string; state?: string }) => r.state },
      ],
    );
    expect(text.split('\n')).toEqual(['APP         STATE', 'a-long-id   COMPLETED', 'b           -']);
  });

  it('is the header alone without rows', () => {
    expect(table([], [{ header: 'APP', value: () => 'x' }])).toBe('APP');
  });
});

describe('fields', () => {
  it('aligns the values after their labels and continues a multi-line value under its first line', () => {
    expect(
      fields([
        ['State', 'COMPLETED'],
        ['Tuning changed', 'a = 1\nb = 2'],
        ['Reason', undefined],
      ]).split('\n'),
    ).toEqual(['State:          COMPLETED', 'Tuning changed: a = 1', '                b = 2', 'Reason:         -']);
  });
});
