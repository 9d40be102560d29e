import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import { checkLimit, decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  it('round-trip their key and are URL-safe', () => {
    const key = ['2025-06-01T12:00:00.000Z', 'app-1/+='];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual(key);
  });

  it.each([
    ['not base64 json', 'garbage!'],
    ['the wrong number of parts', encodeCursor(['only-one'])],
    ['non-string parts', Buffer.from('[1,2]').toString('base64url')],
  ])('reject %s as VALIDATION_FAILED on cursor', (_why, cursor) => {
    expect(() => decodeCursor(cursor, 2)).toThrow(DomainError);
    try {
      decodeCursor(cursor, 2);
    } catch (e) {
      expect((e as DomainError).issues[0]?.path).toBe('cursor');
    }
  });

  it.each([0, -1, 1.5, Number.NaN])('limit %s is rejected', (limit) => {
    expect(() => checkLimit(limit)).toThrow(/limit .* is not a positive integer/);
  });
});
