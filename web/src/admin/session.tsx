import { useCallback } from 'react';
import { createSession, type Session } from '../shared/session';

export type StaffRole = 'owner' | 'risk' | 'finance' | 'ops' | 'viewer';

export interface StaffMe {
  id: number;
  username: string;
  displayName: string;
  roles: StaffRole[];
  status: string;
  mustChangePassword?: boolean;
}

const staffSession = createSession<StaffMe>('staff', '/api/staff/me', '/api/staff/session');
export const StaffSessionProvider = staffSession.Provider;

export interface StaffSession extends Session<StaffMe> {
  /** True when the signed-in person holds one of the roles (the server checks again). */
  can: (...roles: StaffRole[]) => boolean;
}

export function useStaffSession(): StaffSession {
  const session = staffSession.useSession();
  const { me } = session;
  const can = useCallback((...roles: StaffRole[]) => !!me && me.roles.some((r) => roles.includes(r)), [me]);
  return { ...session, can };
}
