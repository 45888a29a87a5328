import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from './api';

export interface Session<Me> {
  me: Me | null;
  loading: boolean;
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
}

/**
 * The signed-in person of one app (staff in the console, a member in the H5):
 * read from `mePath` on start, cleared when the server answers that the
 * session ended, ended with `DELETE logoutPath`. The cookie itself is
 * httpOnly; this only mirrors who it belongs to.
 */
export function createSession<Me>(name: string, mePath: string, logoutPath: string) {
  const Context = createContext<Session<Me> | null>(null);

  function Provider({ children }: { children: ReactNode }) {
    const [me, setMe] = useState<Me | null>(null);
    const [loading, setLoading] = useState(true);
    const refresh = useCallback(async () => {
      try {
        setMe(await api.get<Me>(mePath));
      } catch (err) {
        // Signed out only when the server says so; a restart or a network blip keeps the person where they are.
        if (err instanceof ApiError && err.status === 401) setMe(null);
      } finally {
        setLoading(false);
      }
    }, []);
    useEffect(() => {
      void refresh();
      setUnauthorizedHandler(() => setMe(null));
      return () => setUnauthorizedHandler(null);
    }, [refresh]);
    const logout = useCallback(async () => {
      try {
        await api.delete(logoutPath);
      } finally {
        setMe(null);
      }
    }, []);
    const value = useMemo(() => ({ me, loading, refresh, logout }), [me, loading, refresh, logout]);
    return <Context.Provider value={value}>{children}</Context.Provider>;
  }

  function useSession(): Session<Me> {
    const s = useContext(Context);
    if (!s) throw new Error(`${name} session used outside its provider`);
    return s;
  }

  return { Provider, useSession };
}
