import type { ComponentType, LazyExoticComponent } from 'react';
import { lazy } from 'react';

/**
 * The H5's pages. `public` pages are open without a session (login, register
 * from an invite link); every other page sends a signed-out visitor to login
 * and comes back afterwards. `tab` pages show the bottom tab bar.
 */
export interface MemberRoute {
  path: string;
  page: LazyExoticComponent<ComponentType>;
  public?: boolean;
  tab?: boolean;
  /** The navigation bar title; none for pages that draw their own header. */
  title?: { zh: string; en: string };
}

export const memberRoutes: MemberRoute[] = [
  { path: '/login', public: true, page: lazy(() => import('./pages/LoginPage')) },
  { path: '/register', public: true, page: lazy(() => import('./pages/RegisterPage')), title: { zh: '注册', en: 'Register' } },
  { path: '/', tab: true, page: lazy(() => import('./pages/HomePage')) },
  { path: '/onboarding', page: lazy(() => import('./pages/OnboardingPage')), title: { zh: '商户入驻', en: 'Onboarding' } },
  { path: '/pay', page: lazy(() => import('./pages/PayFeePage')), title: { zh: '缴纳入驻费', en: 'Entry fee' } },
  { path: '/level', page: lazy(() => import('./pages/LevelPage')), title: { zh: '我的等级', en: 'My level' } },
  { path: '/invite', page: lazy(() => import('./pages/InvitePage')), title: { zh: '邀请好友', en: 'Invite' } },
  { path: '/team', tab: true, page: lazy(() => import('./pages/TeamPage')), title: { zh: '我的团队', en: 'My team' } },
  { path: '/earnings', tab: true, page: lazy(() => import('./pages/EarningsPage')), title: { zh: '收益明细', en: 'Earnings' } },
  { path: '/withdraw', page: lazy(() => import('./pages/WithdrawPage')), title: { zh: '提现', en: 'Withdraw' } },
  { path: '/rules', page: lazy(() => import('./pages/RulesPage')), title: { zh: '奖励规则', en: 'Reward rules' } },
  { path: '/me', tab: true, page: lazy(() => import('./pages/MePage')), title: { zh: '我的', en: 'Me' } },
];
