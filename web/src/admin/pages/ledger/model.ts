/** Shapes of the ledger API (src/modules/ledger/ledger.routes.ts) and their words. */
type Words = [zh: string, en: string];

export interface Posting {
  id: number;
  account: string;
  member: { id: number; displayName: string; phone: string } | null;
  amountFen: string;
  debitFen: string | null;
  creditFen: string | null;
  balanceAfterFen: string | null;
}

export interface Entry {
  id: number;
  kind: string;
  idempotencyKey: string;
  sourceType: string;
  sourceId: string;
  memo: string | null;
  createdAt: string;
  totalFen: string;
  postings: Posting[];
}

export interface VerifyReport {
  ok: boolean;
  checkedAt: string;
  entries: number;
  postings: number;
  wallets: number;
  problems: { check: string; account: string; expected?: string; actual?: string; detail: string }[];
}

export const accountWords: Record<string, Words> = {
  'wallet:frozen': ['会员冻结余额', 'Member frozen'],
  'wallet:available': ['会员可用余额', 'Member available'],
  'wallet:withdrawing': ['会员提现中', 'Member withdrawing'],
  'fees:onboarding': ['入驻费收入', 'Entry fee income'],
  'fees:level': ['等级购买收入', 'Level purchase income'],
  'fees:withdrawal': ['提现手续费收入', 'Withdrawal fee income'],
  'rewards:expense': ['奖励支出', 'Reward expense'],
  'channel:clearing': ['支付通道清算', 'Payment channel clearing'],
  'payouts:clearing': ['打款清算', 'Payout clearing'],
  rounding: ['舍入差额', 'Rounding'],
};

/** What each platform account holds, for the balance cards. */
export const accountHints: Record<string, Words> = {
  'fees:onboarding': ['会员支付的入驻费', 'Entry fees members paid'],
  'fees:level': ['会员购买等级的收入', 'Level purchases'],
  'fees:withdrawal': ['提现手续费', 'Withdrawal fees'],
  'rewards:expense': ['发放给会员的奖励与分红', 'Rewards and dividends paid to members'],
  'channel:clearing': ['已收款、待通道结算的资金', 'Collected, awaiting channel settlement'],
  'payouts:clearing': ['已打款给会员、待与银行核对', 'Paid out, awaiting bank settlement'],
  rounding: ['分配计算中的舍入差额', 'Rounding differences from allocations'],
};

export const kindWords: Record<string, [zh: string, en: string, color: string]> = {
  credit: ['入账', 'Credit', 'blue'],
  reward: ['奖励', 'Reward', 'gold'],
  dividend: ['分红', 'Dividend', 'purple'],
  release: ['解冻', 'Release', 'cyan'],
  clawback: ['追回', 'Clawback', 'red'],
  withdrawal_request: ['提现申请', 'Withdrawal request', 'orange'],
  withdrawal_reject: ['提现驳回', 'Withdrawal rejected', 'default'],
  withdrawal_paid: ['提现到账', 'Withdrawal paid', 'green'],
  withdrawal_failed: ['提现失败退回', 'Withdrawal failed', 'volcano'],
  payment: ['支付收款', 'Payment', 'geekblue'],
  adjustment: ['调整', 'Adjustment', 'magenta'],
};

export const checkWords: Record<string, Words> = {
  entry_unbalanced: ['每笔分录借贷平衡', 'Every entry balances'],
  balance_mismatch: ['钱包余额与过账明细一致', 'Wallet balances equal their postings'],
  negative_balance: ['冻结与提现中余额不为负', 'Frozen and withdrawing never negative'],
  frozen_lots_mismatch: ['冻结批次与冻结余额一致', 'Frozen lots add up to frozen balances'],
  entry_without_source: ['每笔分录都有业务来源', 'Every entry names its source'],
  posting_without_entry: ['每条过账都属于分录', 'Every posting belongs to an entry'],
};
