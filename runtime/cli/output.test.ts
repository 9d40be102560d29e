import { describe, expect, it } from 'vitest';
import { durationOf, format, table } from './output';

describe('format', () => {
  it('prints absent values as "-", objects as JSON, the rest as text', () => {
    expect(format(undefined)).toBe('-');
    expect(format(null)).toBe('-');
    expect(format({ instances: 1 })).toBe('{"instances":1}');
    expect(format(0)).toBe('0');
    expect(format('RUNNING')).toBe('RUNNING');
  });
});

describe('durationOf', () => {
  it('is "-" before the start, seconds under a minute, then minutes and padded seconds', () => {
    expect(durationOf(undefined, '2026-01-01T00:00:10Z')).toBe('-');
    expect(durationOf('2026-01-01T00:00:00Z', '2026-01-01T00:00:42.4Z')).toBe('42s');
    expect(durationOf('2026-01-01T00:00:00Z', '2026-01-01T00:01:05Z')).toBe('1m05s');
    expect(durationOf('2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z')).toBe('120m00s');
  });
});

describe('table', () => {
  it('has one header row and one row per item, in column order', () => {
    const text = table(
      [
        { id: 'a', state: 'COMPLETED' },
        { id: 'b', state: undefined },
      ],
      [
        { header: 'APP', value: (r: { id: string; state?: string }) => r.id },
        { header: 'STATE', value: (r: { id: string; state?: string }) => r.state },
      ],
    );
    const rows = text.split('\n').filter((line) => /[A-Za-z-]/.test(line));
    expect(
      rows.map((line) =>
        line
          .split('│')
          .map((cell) => cell.trim())
          .filter(Boolean),
      ),
    ).toEqual([
      ['APP', 'STATE'],
      ['a', 'COMPLETED'],
      ['b', '-'],
    ]);
  });
});
