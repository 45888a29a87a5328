import { createSession } from '../shared/session';

/** The member as GET /api/member/me returns it. */
export interface MemberMe {
  id: number;
  phone: string;
  name?: string | null;
  status: string;
  inviteCode?: string;
  [key: string]: unknown;
}

const memberSession = createSession<MemberMe>('member', '/api/member/me', '/api/member/session');
export const MemberSessionProvider = memberSession.Provider;
export const useMemberSession = memberSession.useSession;
