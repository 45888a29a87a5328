import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from '../shared/api';

export type StaffRole = 'owner' | 'risk' | 'finance' | 'ops' | 'viewer';

export interface StaffMe {
  id: number;
  username: string;
  displayName: string;
  roles: StaffRole[];
  status: string;
  mustChangePassword?: boolean;
}

interface Session {
  me: StaffMe | null;
  loading: boolean;
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
  /** True when the signed-in person holds one of the roles (the server checks again). */
  can: (...roles: StaffRole[]) => boolean;
}

const SessionContext = createContext<Session | null>(null);

export function StaffSessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<StaffMe | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      setMe(await api.get<StaffMe>('/api/staff/me'));
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
      await api.delete('/api/staff/session');
    } finally {
      setMe(null);
    }
  }, []);
  const can = useCallback((...roles: StaffRole[]) => !!me && me.roles.some((r) => roles.includes(r)), [me]);
  return <SessionContext.Provider value={{ me, loading, refresh, logout, can }}>{children}</SessionContext.Provider>;
}

export function useStaffSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useStaffSession outside StaffSessionProvider');
  return s;
}
