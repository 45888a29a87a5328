/** Shapes of the withdrawal API (src/modules/withdrawals/withdrawals.routes.ts) and their words. */
export type WithdrawalStatus = 'requested' | 'approved' | 'rejected' | 'paying' | 'paid' | 'failed';

export interface Withdrawal {
  id: number;
  memberId: number;
  amountFen: string;
  feeFen: string;
  netFen: string;
  status: WithdrawalStatus;
  reviewRequired: boolean;
  channel: string;
  simulated: boolean;
  payee: { name: string; bank: string; account: string };
  batchId: number | null;
  channelRef: string | null;
  reason: string | null;
  requestedAt: string;
  updatedAt: string;
}

export interface WithdrawalEvent {
  fromStatus: string | null;
  toStatus: string;
  actorKind: string;
  reason: string | null;
  at: string;
}

export type WithdrawalDetail = Withdrawal & { events: WithdrawalEvent[] };

export interface PayoutBatch {
  id: number;
  createdAt: string;
  count: number;
  totalFen: string;
  resultsImportedAt: string | null;
}

export interface ResultLine {
  line: number;
  withdrawalId: number | null;
  outcome: string;
  message: string;
}

type Words = [zh: string, en: string];

export const statusWords: Record<WithdrawalStatus, [zh: string, en: string, color: string]> = {
  requested: ['待审核', 'Awaiting review', 'orange'],
  approved: ['已批准', 'Approved', 'blue'],
  paying: ['打款中', 'Paying', 'processing'],
  paid: ['已到账', 'Paid', 'green'],
  rejected: ['已驳回', 'Rejected', 'default'],
  failed: ['打款失败', 'Payout failed', 'red'],
};

/** The filter tabs, review queue first. */
export const statusFilters: { key: string; statuses: WithdrawalStatus[] | null; words: Words }[] = [
  { key: 'requested', statuses: ['requested'], words: ['待审核', 'To review'] },
  { key: 'approved', statuses: ['approved', 'paying'], words: ['待打款 / 打款中', 'Approved / paying'] },
  { key: 'paid', statuses: ['paid'], words: ['已到账', 'Paid'] },
  { key: 'closed', statuses: ['rejected', 'failed'], words: ['已驳回 / 失败', 'Rejected / failed'] },
  { key: 'all', statuses: null, words: ['全部', 'All'] },
];

export const channelWords: Record<string, Words> = {
  sandbox: ['模拟通道', 'Sandbox'],
  bank_batch: ['银行批量代付', 'Bank batch'],
};

export const actorWords: Record<string, Words> = {
  member: ['会员', 'Member'],
  staff: ['员工', 'Staff'],
  system: ['系统', 'System'],
};
