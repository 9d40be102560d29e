import { describe, expect, it } from 'vitest';
import { formatNodes } from './format';

describe('formatNodes', () => {
  it('says how many nodes are Ready, of how many when some are not, and a dash when unknown', () => {
    expect(formatNodes({ total: 3, ready: 3 })).toBe('3 Ready');
    expect(formatNodes({ total: 3, ready: 2 })).toBe('2 of 3 Ready');
    expect(formatNodes({ total: 0, ready: 0 })).toBe('0 Ready');
    expect(formatNodes(undefined)).toBe('—');
  });
});
