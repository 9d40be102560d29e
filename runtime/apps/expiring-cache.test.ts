import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache';

describe('ExpiringCache', () => {
  it('answers a value until its time to live has passed, then forgets it', () => {
    let nowMs = 1_000_000;
    const cache = new ExpiringCache<string, number>({ now: () => new Date(nowMs) }, 2000);
    cache.set('a', 1);
    nowMs += 1999;
    expect(cache.get('a')).toBe(1);
    nowMs += 1;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
  });

  it('forgets one key, or every entry whose value matches', () => {
    const cache = new ExpiringCache<string, { owner: string }>({ now: () => new Date(0) }, 60_000);
    cache.set('x', { owner: 'ann' });
    cache.set('y', { owner: 'bob' });
    cache.set('z', { owner: 'ann' });
    cache.deleteWhere((value) => value.owner === 'ann');
    expect([cache.get('x'), cache.get('y'), cache.get('z')]).toEqual([undefined, { owner: 'bob' }, undefined]);
    cache.delete('y');
    expect(cache.get('y')).toBeUndefined();
  });

  it('starts over past 10,000 entries, so that memory stays bounded', () => {
    const cache = new ExpiringCache<number, number>({ now: () => new Date(0) }, 60_000);
    for (let i = 0; i < 10_000; i++) cache.set(i, i);
    expect(cache.get(9_999)).toBe(9_999);
    cache.set(10_000, 10_000);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(10_000)).toBe(10_000);
  });
});
