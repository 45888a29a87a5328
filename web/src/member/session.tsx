import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from '../shared/api';

/** The member as GET /api/member/me returns it. */
export interface MemberMe {
  id: number;
  phone: string;
  name?: string | null;
  status: string;
  inviteCode?: string;
  [key: string]: unknown;
}

interface Session {
  me: MemberMe | null;
  loading: boolean;
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function MemberSessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<MemberMe | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      setMe(await api.get<MemberMe>('/api/member/me'));
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
      await api.delete('/api/member/session');
    } finally {
      setMe(null);
    }
  }, []);
  return <SessionContext.Provider value={{ me, loading, refresh, logout }}>{children}</SessionContext.Provider>;
}

export function useMemberSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useMemberSession outside MemberSessionProvider');
  return s;
}
