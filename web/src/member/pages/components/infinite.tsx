import { Button, DotLoading, InfiniteScroll } from 'antd-mobile';
import { useCallback, useRef, useState } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useErrorText } from './errors';

type Query = Record<string, string | number | boolean | null | undefined>;

interface State<T> {
  key: string;
  items: T[];
  cursor: string | null;
  hasMore: boolean;
  /** The first page has answered (so an empty list is really empty). */
  loaded: boolean;
}

const fresh = <T,>(key: string): State<T> => ({ key, items: [], cursor: null, hasMore: true, loaded: false });

/**
 * Keyset pages (`{items, nextCursor}`, `?cursor=&limit=`) appended as the
 * member scrolls, for antd-mobile's InfiniteScroll. Changing `path` or the
 * filters starts over; an answer for filters that are no longer current is
 * dropped, so a fast search never mixes lists.
 */
export function useInfiniteList<T>(path: string, query: Query = {}, limit = 20) {
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify([path, query, limit, nonce]);
  const latestKey = useRef(key);
  latestKey.current = key;
  const [stored, setState] = useState<State<T>>(() => fresh(key));
  const state: State<T> = stored.key === key ? stored : fresh(key);

  const loadMore = useCallback(async () => {
    const page = await api.get<{ items: T[]; nextCursor: string | number | null }>(path, { ...query, limit, cursor: state.cursor ?? undefined });
    if (latestKey.current !== key) return;
    setState((s) => {
      const base = s.key === key ? s : fresh<T>(key);
      return {
        key,
        items: [...base.items, ...page.items],
        cursor: page.nextCursor === null ? null : String(page.nextCursor),
        hasMore: page.nextCursor !== null,
        loaded: true,
      };
    });
    // `query` is part of `key`.
  }, [key, state.cursor]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { items: state.items, hasMore: state.hasMore, loaded: state.loaded, loadMore, reload };
}

/** InfiniteScroll with the H5's footer: loading dots, a retry in words, or "no more". */
export function MoreLoader({ loadMore, hasMore, count }: { loadMore: () => Promise<void>; hasMore: boolean; count: number }) {
  const t = useT();
  const errText = useErrorText();
  const [lastError, setLastError] = useState<unknown>();
  const guarded = useCallback(async () => {
    try {
      await loadMore();
      setLastError(undefined);
    } catch (err) {
      setLastError(err);
      throw err;
    }
  }, [loadMore]);
  return (
    <InfiniteScroll loadMore={guarded} hasMore={hasMore} threshold={200}>
      {(more, failed, retry) =>
        failed ? (
          <div style={{ textAlign: 'center', color: 'var(--adm-color-weak)', fontSize: 13 }}>
            <div>{errText(lastError)}</div>
            <Button size="mini" fill="none" color="primary" onClick={() => void retry()} data-testid="list-retry">
              {t('重新加载', 'Retry')}
            </Button>
          </div>
        ) : more ? (
          <span style={{ color: 'var(--adm-color-weak)', fontSize: 13 }}>
            {t('加载中', 'Loading')}
            <DotLoading />
          </span>
        ) : count > 0 ? (
          <span style={{ color: 'var(--adm-color-weak)', fontSize: 12 }}>{t('没有更多了', 'No more')}</span>
        ) : null
      }
    </InfiniteScroll>
  );
}
