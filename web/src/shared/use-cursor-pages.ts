import { useCallback, useEffect, useState } from 'react';
import { useApi, type Loaded } from './use-api';

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | number | null;
}

export interface CursorPages<T> extends Loaded<CursorPage<T>> {
  items: T[];
  page: number;
  hasNext: boolean;
  hasPrev: boolean;
  next: () => void;
  prev: () => void;
}

/**
 * Keyset pagination as the API does it (`?cursor=<nextCursor>`): a stack of
 * the cursors seen so far gives "previous" without offsets. Changing the
 * filters (`query`) goes back to the first page.
 */
export function useCursorPages<T>(path: string | null, query: Record<string, string | number | boolean | null | undefined> = {}, limit = 20): CursorPages<T> {
  const [cursors, setCursors] = useState<(string | number | null)[]>([null]);
  const filterKey = JSON.stringify(query);
  useEffect(() => setCursors([null]), [filterKey, path]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const loaded = useApi<CursorPage<T>>(path, { ...query, limit, cursor: cursor ?? undefined });
  const nextCursor = loaded.data?.nextCursor ?? null;
  const next = useCallback(() => {
    if (nextCursor !== null) setCursors((c) => [...c, nextCursor]);
  }, [nextCursor]);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  return {
    ...loaded,
    items: loaded.data?.items ?? [],
    page: cursors.length,
    hasNext: nextCursor !== null,
    hasPrev: cursors.length > 1,
    next,
    prev,
  };
}
