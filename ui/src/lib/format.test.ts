import { describe, expect, it } from 'vitest';
import { formatMoney, formatNodes, formatNumber, wrap } from './format';

describe('formatNodes', () => {
  it('says how many nodes are Ready, of how many when some are not, and a dash when unknown', () => {
    expect(formatNodes({ total: 3, ready: 3 })).toBe('3 Ready');
    expect(formatNodes({ total: 3, ready: 2 })).toBe('2 of 3 Ready');
    expect(formatNodes({ total: 0, ready: 0 })).toBe('0 Ready');
    expect(formatNodes(undefined)).toBe('—');
  });
});

describe('wrap', () => {
  it('keeps every character of a long stage name, in lines no longer than the width', () => {
    const name = 'Stage 3.0: parquet at NativeMethodAccessorImpl.java:0 ' + 'x'.repeat(130) + ' tail';
    const lines = wrap(name, 40);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    // nothing is lost: the same characters, spaces aside
    expect(lines.join('').replace(/ /g, '')).toBe(name.replace(/ /g, ''));
    expect(lines[0]).toBe('Stage 3.0: parquet at');
    expect(wrap('short')).toEqual(['short']);
  });
});

describe('formatMoney and formatNumber', () => {
  it('never show a signed zero for an amount that rounds to nothing', () => {
    expect(formatMoney(-0.00001)).not.toContain('-');
    expect(formatMoney(-0.00001)).toContain('0.0000');
    expect(formatNumber(-0.0001, 3)).toBe('0');
    expect(formatNumber(-0.25, 1)).toContain('-');
    expect(formatMoney(-1.5)).toContain('1.50');
    expect(formatMoney(-1.5)).toMatch(/-/);
  });
});
