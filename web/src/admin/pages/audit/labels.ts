/** What the audit log's codes mean, in both languages. Unknown codes show as they are. */
type Names = Record<string, [string, string]>;

export const actionNames: Names = {
  'onboarding.submitted': ['提交入驻申请', 'Onboarding submitted'],
  'onboarding.approved': ['入驻审核通过', 'Onboarding approved'],
  'onboarding.rejected': ['入驻审核驳回', 'Onboarding rejected'],
  'onboarding.fee_pending': ['待缴入驻费', 'Entry fee pending'],
  'onboarding.active': ['入驻激活', 'Onboarding activated'],
  'onboarding.extra_fee_payment': ['重复缴纳入驻费', 'Extra entry fee payment'],
  'withdrawal.requested': ['申请提现', 'Withdrawal requested'],
  'withdrawal.approved': ['提现审核通过', 'Withdrawal approved'],
  'withdrawal.rejected': ['提现驳回', 'Withdrawal rejected'],
  'withdrawal.paying': ['提现打款中', 'Withdrawal paying'],
  'withdrawal.paid': ['提现已到账', 'Withdrawal paid'],
  'withdrawal.failed': ['提现失败', 'Withdrawal failed'],
  'payout_batch.created': ['创建打款批次', 'Payout batch created'],
  'payout_batch.exported': ['导出打款文件', 'Payout file exported'],
  'payout_batch.results_imported': ['导入打款结果', 'Payout results imported'],
  'settlement.opened': ['开始月度结算', 'Settlement opened'],
  'settlement.approved': ['批准月度结算', 'Settlement approved'],
  'settlement.payment_started': ['开始发放分红', 'Dividend payment started'],
  'settlement.paid': ['分红发放完成', 'Dividends paid'],
  'settlement.cancelled': ['取消月度结算', 'Settlement cancelled'],
  'dividends.tiers_saved': ['保存分红档位', 'Dividend tiers saved'],
  'rewards.draft_saved': ['保存规则草稿', 'Rule draft saved'],
  'rewards.draft_discarded': ['丢弃规则草稿', 'Rule draft discarded'],
  'rewards.published': ['发布奖励规则', 'Reward rules published'],
  'levels.ladder_saved': ['保存等级体系', 'Level ladder saved'],
  'levels.member_level_set': ['调整会员等级', 'Member level set'],
  'levels.purchase_unapplied': ['等级购买未生效', 'Level purchase not applied'],
  'levels.purchase_without_effect': ['等级购买无变化', 'Level purchase without effect'],
  'member.status_changed': ['修改会员状态', 'Member status changed'],
  'member.unlocked': ['解除登录锁定', 'Member unlocked'],
  'member.reparented': ['调整推荐关系', 'Member moved'],
  'member.inviter_assigned': ['指定推荐人', 'Inviter assigned'],
  'staff.created': ['创建员工', 'Staff created'],
  'staff.updated': ['修改员工', 'Staff updated'],
  'staff.password_reset': ['重置员工密码', 'Staff password reset'],
  'staff.password_changed': ['修改登录密码', 'Password changed'],
  'settings.updated': ['修改系统设置', 'Settings changed'],
  'risk.blacklist.add': ['加入黑名单', 'Added to blacklist'],
  'risk.blacklist.remove': ['移出黑名单', 'Removed from blacklist'],
  'channel.created': ['新增支付通道', 'Channel created'],
  'channel.updated': ['修改支付通道', 'Channel changed'],
  'channel.merchant_bound': ['绑定通道商户', 'Channel merchant bound'],
  'payment.queried': ['查询支付订单', 'Payment queried'],
  'performance.rebuilt': ['重建业绩', 'Performance rebuilt'],
  'reconciliation.imported': ['导入对账单', 'Statement imported'],
};

export const targetTypeNames: Names = {
  member: ['会员', 'Member'],
  staff: ['员工', 'Staff'],
  withdrawal: ['提现', 'Withdrawal'],
  payout_batch: ['打款批次', 'Payout batch'],
  settlement_run: ['月度结算', 'Settlement run'],
  dividend_tiers: ['分红档位', 'Dividend tiers'],
  reward_rule_set: ['奖励规则', 'Reward rules'],
  level_ladder: ['等级体系', 'Level ladder'],
  settings: ['系统设置', 'Settings'],
  blacklist: ['黑名单', 'Blacklist'],
  channel: ['支付通道', 'Channel'],
  payment_order: ['支付订单', 'Payment order'],
  performance: ['业绩', 'Performance'],
  reconciliation: ['对账', 'Reconciliation'],
};

export const actorKindNames: Names = {
  staff: ['员工', 'Staff'],
  member: ['会员', 'Member'],
  system: ['系统', 'System'],
};

export const actorKindColors: Record<string, string> = { staff: 'blue', member: 'green', system: 'default' };

/** Groups for the action filter: the part before the first dot. */
export const actionGroups: Names = {
  onboarding: ['入驻', 'Onboarding'],
  withdrawal: ['提现', 'Withdrawals'],
  payout_batch: ['打款批次', 'Payout batches'],
  settlement: ['月度结算', 'Settlement'],
  dividends: ['分红', 'Dividends'],
  rewards: ['奖励规则', 'Reward rules'],
  levels: ['等级', 'Levels'],
  member: ['会员', 'Members'],
  staff: ['员工', 'Staff'],
  settings: ['设置', 'Settings'],
  risk: ['风控', 'Risk'],
  channel: ['支付通道', 'Channels'],
  payment: ['支付', 'Payments'],
  performance: ['业绩', 'Performance'],
  reconciliation: ['对账', 'Reconciliation'],
};

export const nameOf = (names: Names, code: string, t: (zh: string, en: string) => string) => {
  const n = names[code];
  return n ? t(n[0], n[1]) : code;
};

/** The settings keys (targetId of settings.updated). */
export const settingsKeyNames: Names = {
  registration: ['注册设置', 'Registration'],
  entry_fee: ['入驻费', 'Entry fee'],
  risk: ['风控阈值', 'Risk thresholds'],
  withdrawals: ['提现设置', 'Withdrawals'],
  levels: ['等级设置', 'Level settings'],
  settlement: ['结算设置', 'Settlement'],
};
