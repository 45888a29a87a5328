import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads a GET resource and reloads when `path` (with its query) changes. A
 * response that arrives after a newer request started is dropped, so fast
 * typing in a search box never shows stale rows. `path === null` waits.
 */
export function useApi<T>(path: string | null, query?: Record<string, string | number | boolean | null | undefined>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const key = path === null ? null : `${path}?${JSON.stringify(query ?? {})}`;
  useEffect(() => {
    if (path === null) return;
    const mine = ++seq.current;
    setLoading(true);
    setError(undefined);
    api
      .get<T>(path, query)
      .then((d) => {
        if (mine === seq.current) setData(d);
      })
      .catch((e: ApiError | Error) => {
        if (mine === seq.current) setError(e);
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false);
      });
  }, [key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
