import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryable, withRetry } from './retry';

const status = (code: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${code}`), { code, headers });

describe('withRetry', () => {
  it('retries 429, 500, 503 and connection errors, then returns the success', async () => {
    const failures = [status(429), status(500), status(503), Object.assign(new Error('reset'), { code: 'ECONNRESET' })];
    const delays: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        const failure = failures[attempt - 1];
        if (failure) throw failure;
        return attempt;
      },
      { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.99, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(result).toBe(5);
    expect(delays).toEqual([0, 1, 3, 3]);
  });

  it('does not retry other 4xx answers', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw status(403);
      }),
    ).rejects.toThrow('HTTP 403');
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw status(500);
        },
        { maxAttempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('HTTP 500');
    expect(calls).toBe(3);
  });
});

describe('backoffMs', () => {
  it('doubles its ceiling up to the maximum and honours Retry-After', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, opts))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffMs(1, opts, status(429, { 'retry-after': '2' }))).toBe(1000);
    expect(backoffMs(1, { ...opts, maxDelayMs: 5000 }, status(429, { 'retry-after': '2' }))).toBe(2000);
  });
});

describe('isRetryable', () => {
  it('classifies errors', () => {
    expect(isRetryable(status(504))).toBe(true);
    expect(isRetryable(status(404))).toBe(false);
    expect(isRetryable(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { name: 'FetchError', type: 'system' }))).toBe(true);
    expect(isRetryable(new TypeError('bug'))).toBe(false);
  });
});
