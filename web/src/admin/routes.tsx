import type { ComponentType, LazyExoticComponent } from 'react';
import { lazy } from 'react';
import type { StaffRole } from './session';

/**
 * Every console page in one list: its path, who may open it, and where it
 * sits in the menu. The menu hides what a person's roles cannot open, and the
 * router refuses it too (the server refuses the API calls regardless).
 */
export interface AdminRoute {
  path: string;
  /** null: every staff role. */
  roles: StaffRole[] | null;
  page: LazyExoticComponent<ComponentType>;
  menu?: { group: MenuGroup; zh: string; en: string; icon: string };
}

export type MenuGroup = 'overview' | 'members' | 'rewards' | 'money' | 'system';

export const menuGroups: Record<MenuGroup, { zh: string; en: string }> = {
  overview: { zh: '概览', en: 'Overview' },
  members: { zh: '会员', en: 'Members' },
  rewards: { zh: '等级与奖励', en: 'Levels & rewards' },
  money: { zh: '资金', en: 'Money' },
  system: { zh: '系统', en: 'System' },
};

const FINANCE_READ: StaffRole[] = ['owner', 'finance', 'viewer'];

export const adminRoutes: AdminRoute[] = [
  { path: '/', roles: null, page: lazy(() => import('./pages/dashboard/DashboardPage')), menu: { group: 'overview', zh: '数据看板', en: 'Dashboard', icon: 'dashboard' } },
  { path: '/members', roles: null, page: lazy(() => import('./pages/members/MembersPage')), menu: { group: 'members', zh: '会员管理', en: 'Members', icon: 'team' } },
  { path: '/members/:id', roles: null, page: lazy(() => import('./pages/members/MemberDetailPage')) },
  { path: '/onboarding', roles: null, page: lazy(() => import('./pages/onboarding/ReviewQueuePage')), menu: { group: 'members', zh: '入驻审核', en: 'Onboarding review', icon: 'audit' } },
  { path: '/onboarding/:id', roles: null, page: lazy(() => import('./pages/onboarding/ReviewDetailPage')) },
  { path: '/levels', roles: null, page: lazy(() => import('./pages/levels/LevelsPage')), menu: { group: 'rewards', zh: '等级体系', en: 'Level ladder', icon: 'rise' } },
  { path: '/rewards', roles: null, page: lazy(() => import('./pages/rewards/RewardRulesPage')), menu: { group: 'rewards', zh: '奖励规则', en: 'Reward rules', icon: 'gift' } },
  { path: '/dividends', roles: null, page: lazy(() => import('./pages/dividends/DividendTiersPage')), menu: { group: 'rewards', zh: '分红档位', en: 'Dividend tiers', icon: 'pie' } },
  { path: '/settlement', roles: null, page: lazy(() => import('./pages/dividends/SettlementRunsPage')), menu: { group: 'rewards', zh: '月度结算', en: 'Monthly settlement', icon: 'calendar' } },
  { path: '/settlement/:id', roles: null, page: lazy(() => import('./pages/dividends/SettlementRunPage')) },
  { path: '/withdrawals', roles: FINANCE_READ, page: lazy(() => import('./pages/withdrawals/WithdrawalsPage')), menu: { group: 'money', zh: '提现审核', en: 'Withdrawals', icon: 'wallet' } },
  { path: '/ledger', roles: FINANCE_READ, page: lazy(() => import('./pages/ledger/LedgerPage')), menu: { group: 'money', zh: '账本', en: 'Ledger', icon: 'book' } },
  { path: '/payments', roles: FINANCE_READ, page: lazy(() => import('./pages/payments/PaymentsPage')), menu: { group: 'money', zh: '支付订单', en: 'Payments', icon: 'pay' } },
  { path: '/reconciliation', roles: FINANCE_READ, page: lazy(() => import('./pages/reconciliation/ReconciliationPage')), menu: { group: 'money', zh: '对账', en: 'Reconciliation', icon: 'reconcile' } },
  { path: '/reports', roles: null, page: lazy(() => import('./pages/reports/ReportsPage')), menu: { group: 'money', zh: '月度报表', en: 'Monthly report', icon: 'report' } },
  { path: '/channels', roles: ['owner', 'finance', 'ops', 'viewer'], page: lazy(() => import('./pages/channels/ChannelsPage')), menu: { group: 'money', zh: '支付通道', en: 'Channels', icon: 'api' } },
  { path: '/audit', roles: ['owner'], page: lazy(() => import('./pages/audit/AuditLogPage')), menu: { group: 'system', zh: '审计日志', en: 'Audit log', icon: 'history' } },
  { path: '/staff', roles: ['owner'], page: lazy(() => import('./pages/staff/StaffPage')), menu: { group: 'system', zh: '员工与角色', en: 'Staff & roles', icon: 'user' } },
  { path: '/settings', roles: null, page: lazy(() => import('./pages/settings/SettingsPage')), menu: { group: 'system', zh: '系统设置', en: 'Settings', icon: 'setting' } },
  { path: '/account', roles: null, page: lazy(() => import('./pages/account/AccountPage')) },
];
