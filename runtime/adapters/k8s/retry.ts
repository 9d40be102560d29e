/**
 * Retries of Kubernetes API calls: exponential backoff with full jitter on the answers that
 * may succeed later (429, 500, 502, 503, 504, time-outs, dropped connections). Other 4xx are
 * the caller's mistake and fail at once.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. @default 6 */
  maxAttempts?: number;
  /** Ceiling of the first backoff; doubles each attempt. @default 200 */
  baseDelayMs?: number;
  /** Ceiling of any one backoff. @default 10000 */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  /** Stops waiting and retrying. */
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** The HTTP status of a Kubernetes client error (ApiException.code, Watch's statusCode), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

export function isRetryable(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return RETRYABLE_STATUS.has(status);
  if (error === null || typeof error !== 'object') return false;
  const { name, code, type } = error as { name?: string; code?: unknown; type?: string };
  // node-fetch: AbortError for our request time-out, FetchError type "system" for socket errors
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  if (name === 'FetchError') return type === 'system' || type === 'request-timeout' || type === 'body-timeout';
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/** Retry-After of a 429/503 answer, in ms, when the server gave one. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { headers?: Record<string, string> } | null)?.headers;
  const value = headers?.['retry-after'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, options: RetryOptions = {}, error?: unknown): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  const asked = retryAfterMs(error);
  return asked === undefined ? jittered : Math.min(max, Math.max(asked, jittered));
}

/** Runs `operation` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error) || options.signal?.aborted) throw error;
      const delayMs = backoffMs(attempt, options, error);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
