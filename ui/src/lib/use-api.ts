/** Reads one API resource for a page: loading, the data or the error, and a reload. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
  /** Replaces the data (a live update) without a request. */
  set(update: (data: T | undefined) => T | undefined): void;
}

/** `path` undefined: nothing to read (yet). */
export function useApi<T>(path: string | undefined): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== undefined);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (path === undefined) return;
    const abort = new AbortController();
    setLoading(true);
    getJson<T>(path, { signal: abort.signal })
      .then((value) => {
        setData(value);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, e instanceof Error ? e.message : String(e)));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [path, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload, set: setData };
}
