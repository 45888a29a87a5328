import type { StaffRole } from '../../session';

export const allRoles: StaffRole[] = ['owner', 'risk', 'finance', 'ops', 'viewer'];

export const roleNames: Record<StaffRole, [string, string]> = {
  owner: ['所有者', 'Owner'],
  risk: ['风控', 'Risk'],
  finance: ['财务', 'Finance'],
  ops: ['运营', 'Operations'],
  viewer: ['只读', 'Viewer'],
};

export const roleColors: Record<StaffRole, string> = { owner: 'gold', risk: 'volcano', finance: 'green', ops: 'geekblue', viewer: 'default' };

/** What each role may do, as the server's route declarations grant it. */
export const roleDuties: Record<StaffRole, [string, string]> = {
  owner: [
    '全部权限：员工与角色、审计日志、分红档位、注册与入驻设置、调整会员等级，以及其他角色能做的一切。',
    'Everything: staff and roles, the audit log, dividend tiers, registration and onboarding settings, member levels, and all that other roles can do.',
  ],
  risk: [
    '入驻审核（通过/驳回）、风险黑名单、冻结或恢复会员、解除登录锁定、调整推荐关系；可查看入驻资料中的完整证件信息。',
    'Onboarding review, the risk blacklist, suspending members and lifting login locks, moving members in the tree; sees full ID data in applications.',
  ],
  finance: [
    '提现审核与打款批次、账本、支付订单与对账、支付通道、批准并发放月度分红、提现与结算设置。',
    'Withdrawal review and payout batches, the ledger, payments and reconciliation, channels, approving and paying settlements, withdrawal and settlement settings.',
  ],
  ops: [
    '编辑等级体系与奖励规则（草稿、模拟、发布），绑定通道商户。',
    'Edits the level ladder and reward rules (draft, simulate, publish), binds channel merchants.',
  ],
  viewer: [
    '只读：查看看板、会员、规则、结算、报表、账本与提现记录，不能做任何修改。',
    'Read-only: dashboard, members, rules, settlements, reports, ledger and withdrawals; changes nothing.',
  ],
};

/** One line per role, for the role picker. */
export const roleSummaries: Record<StaffRole, [string, string]> = {
  owner: ['全部权限', 'Everything'],
  risk: ['入驻审核、黑名单、会员风控', 'Reviews, blacklist, member risk'],
  finance: ['提现、账本、对账、分红发放', 'Withdrawals, ledger, reconciliation, dividends'],
  ops: ['等级体系与奖励规则', 'Levels and reward rules'],
  viewer: ['只读查看，不能修改', 'Read-only'],
};
