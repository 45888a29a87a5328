/** GET /api/admin/dashboard, as the server sends it (money: strings of fen). */
export type PayoutType = 'rule' | 'profit_share' | 'peer_bonus' | 'dividend';

export interface Volume {
  salesFen: string;
  onboardingFeesFen: string;
  levelPurchasesFen: string;
  totalFen: string;
}

export interface PeriodFigures {
  volume: Volume;
  newMembers: number;
  activatedMembers: number;
  payouts: { type: PayoutType; fen: string }[];
  payoutTotalFen: string;
}

export interface MonthFigures extends PeriodFigures {
  month: string;
  byLevel: { levelRank: number | null; fen: string }[];
}

export interface Dashboard {
  timeZone: string;
  generatedAt: string;
  today: PeriodFigures & { date: string };
  month: MonthFigures;
  pending: { onboardingReviews: number; withdrawals: { count: number; amountFen: string } };
  series: MonthFigures[];
  levels: { rank: number; name: string }[];
}

export const payoutTypes: PayoutType[] = ['rule', 'profit_share', 'peer_bonus', 'dividend'];

export const payoutTypeNames: Record<PayoutType, [string, string]> = {
  rule: ['奖励规则', 'Reward rules'],
  profit_share: ['级差分润', 'Profit share'],
  peer_bonus: ['平级奖', 'Peer bonus'],
  dividend: ['分红', 'Dividends'],
};

export const payoutColors: Record<PayoutType, string> = {
  rule: '#1677ff',
  profit_share: '#13c2c2',
  peer_bonus: '#faad14',
  dividend: '#722ed1',
};

/**
 * Fen as a number of yuan, for chart coordinates only: integer division
 * keeps the two decimals exact. Figures people read (tooltips, cards) are
 * formatted from the fen strings, never from this number.
 */
export function chartYuan(fen: string): number {
  const v = BigInt(fen);
  return Number(v / 100n) + Number(v % 100n) / 100;
}

/** Axis labels: ¥1.2万 / ¥350 (zh), ¥12K / ¥350 (en). */
export function axisYuan(value: number, lang: string): string {
  if (lang === 'en') return `¥${new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(value)}`;
  if (Math.abs(value) >= 10_000) return `¥${new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 1 }).format(value / 10_000)}万`;
  return `¥${new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(value)}`;
}

export function levelName(rank: number | null, levels: Dashboard['levels'], t: (zh: string, en: string) => string): string {
  if (rank === null) return t('无等级', 'No level');
  return levels.find((l) => l.rank === rank)?.name ?? t(`等级 ${rank}`, `Level ${rank}`);
}

export const fenOf = (p: PeriodFigures, type: PayoutType) => p.payouts.find((x) => x.type === type)?.fen ?? '0';
