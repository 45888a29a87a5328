/** The member API's answers as the pages read them (see /docs, tags "member: …"). Fen are digit strings. */

export interface Wallet {
  frozenFen: string;
  availableFen: string;
  withdrawingFen: string;
  debtFen: string;
  canWithdraw: boolean;
}

export type OnboardingState = 'none' | 'draft' | 'submitted' | 'approved' | 'rejected' | 'fee_pending' | 'active';
export type FileKind = 'licence' | 'id_front' | 'id_back' | 'storefront';

export interface OnboardingApplication {
  memberId: number;
  state: OnboardingState;
  fields: Record<string, string | null>;
  revealed: boolean;
  files: { kind: FileKind; fileId: number }[];
  missing: string[];
  revision: number;
  submittedAt: string | null;
  reviewedAt: string | null;
  reviewReason: string | null;
  activatedAt: string | null;
}

export interface OnboardingView {
  application: OnboardingApplication;
  history: { fromState: string | null; toState: string; actorKind: string; reason: string | null; at: string }[];
  entryFeeFen: string;
}

export interface LevelCondition {
  text: string;
  holds: boolean;
  current: string;
  target: string;
  unit: 'fen' | 'members';
}

export interface MyLevel {
  memberId: number;
  month: string;
  level: { id: number; name: string; rank: number; rateProfitSharePpm: number; enabled: boolean };
  since: string | null;
  cause: string | null;
  next: {
    level: { id: number; name: string; rank: number; rateProfitSharePpm: number; priceFen: string };
    byPerformance: boolean;
    mode: 'all' | 'any';
    summary: string;
    reached: boolean;
    conditions: LevelCondition[];
  } | null;
  purchasable: { id: number; name: string; rank: number; rateProfitSharePpm: number; priceFen: string; payFen: string }[];
  canPurchase: boolean;
  purchased: { levelId: number; name: string | null; at: string } | null;
}

interface ConditionSet {
  mode: 'all' | 'any';
  summary: string;
  items: { text: string }[];
}

export interface LadderLevel {
  id: number;
  name: string;
  rank: number;
  priceFen: string;
  forSale: boolean;
  rateProfitSharePpm: number;
  upgrade: ConditionSet;
  keep: ConditionSet;
}

export interface LevelChange {
  id: number;
  from: { id: number; name: string } | null;
  to: { id: number; name: string };
  cause: 'purchase' | 'performance' | 'downgrade' | 'staff';
  reason: string | null;
  at: string;
}

export interface PaymentOrder {
  orderNo: string;
  purpose: 'entry_fee' | 'level_purchase';
  purposeRef: string | null;
  amountFen: string;
  channel: string;
  simulated: boolean;
  status: string;
  expiresAt: string;
  paidAt: string | null;
  checkoutUrl: string | null;
  createdAt: string;
}

export interface StatementLine {
  id: number;
  at: string;
  type: string;
  typeLabel: string;
  account: string;
  accountLabel: string;
  amountFen: string;
  balanceAfterFen: string;
  debtRepaidFen: string;
  sourceType: string;
  sourceId: string;
  entryId: number;
  memo: string | null;
  explanations: string[];
}

/** One payout line of GET /api/member/rewards. */
export interface RewardLine {
  id: number;
  trigger: string;
  kind: 'rule' | 'profit_share' | 'peer_bonus' | string;
  position: string | null;
  amountFen: string;
  text: string;
  entryId: number | null;
  occurredAt: string;
  clawedBack: boolean;
}

export interface DividendLine {
  month: string;
  tierId: string;
  tierName: string;
  shareFen: string;
  paid: boolean;
  runState: string;
  conditions: string[];
}

export type WithdrawalStatus = 'requested' | 'approved' | 'rejected' | 'paying' | 'paid' | 'failed';

export interface Withdrawal {
  id: number;
  amountFen: string;
  feeFen: string;
  netFen: string;
  status: WithdrawalStatus;
  reviewRequired: boolean;
  channel: string;
  simulated: boolean;
  payee: { name: string; bank: string; account: string };
  reason: string | null;
  requestedAt: string;
  updatedAt: string;
}

export interface WithdrawalDetail extends Withdrawal {
  events: { fromStatus: string | null; toStatus: string; actorKind: string; reason: string | null; at: string }[];
}

export interface WithdrawalQuote {
  amountFen: string;
  feeFen: string;
  netFen: string;
  minAmountFen: string;
  reviewRequired: boolean;
}

export interface Invite {
  code: string;
  link: string;
  posterUrl: string;
}

export interface TeamSummary {
  direct: number;
  indirect: number;
  total: number;
  perGeneration: { generation: number; count: number }[];
}

export interface TeamMember {
  memberId: number;
  displayName: string;
  phone: string;
  status: string;
  generation: number;
  directCount: number;
  boundAt: string;
  level: { rank: number; name: string } | null;
}

export interface PerformanceMonth {
  month: string;
  personalNetFen: string;
  teamNetFen: string;
  teamWithSelfFen: string;
  teamActive: number;
  teamIncrementFen: string | null;
}

export interface Rules {
  version: number;
  sections: { trigger: string; title: string; rules: { id: string; name: string; description: string; text: string }[] }[];
  profitShare: { text: string; rates: { level: string; rank: number; rate: string }[]; peer: string | null } | null;
  limits: string[];
  example: string | null;
}
