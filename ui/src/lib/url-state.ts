/** A page's state kept in the URL query, so that every view can be shared and bookmarked. */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export function useUrlState(): {
  params: URLSearchParams;
  get(key: string, fallback?: string): string;
  /** Sets (or with '' / undefined removes) keys; `keep` false drops the paging cursors too. */
  update(changes: Record<string, string | readonly string[] | undefined>, options?: { resetPaging?: boolean }): void;
} {
  const [params, setParams] = useSearchParams();
  const get = useCallback((key: string, fallback = '') => params.get(key) ?? fallback, [params]);
  const update = useCallback(
    (changes: Record<string, string | readonly string[] | undefined>, options: { resetPaging?: boolean } = {}) => {
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (options.resetPaging ?? true) next.delete('page');
        for (const [key, value] of Object.entries(changes)) {
          next.delete(key);
          if (value === undefined || value === '') continue;
          if (Array.isArray(value)) for (const v of value as readonly string[]) next.append(key, v);
          else next.set(key, value as string);
        }
        return next;
      });
    },
    [setParams],
  );
  return { params, get, update };
}

/**
 * Paging with the API's cursors: the cursors of the pages walked through are kept in the URL
 * (`page`, repeated), the last one is the page shown; Previous drops it.
 */
export function usePaging(): {
  cursor: string | undefined;
  pageNumber: number;
  next(cursor: string): void;
  previous(): void;
} {
  const [params, setParams] = useSearchParams();
  const stack = params.getAll('page');
  const move = (nextStack: string[]) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete('page');
      for (const c of nextStack) next.append('page', c);
      return next;
    });
  return {
    cursor: stack.at(-1),
    pageNumber: stack.length + 1,
    next: (cursor) => move([...stack, cursor]),
    previous: () => move(stack.slice(0, -1)),
  };
}

/** A relative time range ("24h", "7d"...) as the instant it starts from, or undefined for "all". */
export function rangeStart(range: string, now = Date.now()): string | undefined {
  const match = /^(\d+)([hd])$/.exec(range);
  if (!match) return undefined;
  const hours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
  return new Date(now - hours * 3_600_000).toISOString();
}
