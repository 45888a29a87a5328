import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, idParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { fenOut, formatYuan } from '../../lib/money.js';
import { access, requireMember } from '../auth/access.js';
import { walletBalance } from '../ledger/ledger.service.js';
import { getMember } from '../members/members.service.js';
import { explanationsByEntry } from '../rewards/explain.service.js';
import { toCsv } from '../../lib/http/csv.js';
import { listStatement, type StatementFilter, type StatementLine } from './statements.service.js';

export const entryTypeLabels: Record<string, string> = {
  credit: '奖励入账',
  reward: '奖励',
  release: '冻结期满解冻',
  clawback: '退款追回',
  withdrawal_request: '提现申请',
  withdrawal_reject: '提现驳回退回',
  withdrawal_paid: '提现到账',
  withdrawal_failed: '提现失败退回',
  adjustment: '调整',
};
export const accountLabels: Record<string, string> = {
  'wallet:frozen': '冻结余额',
  'wallet:available': '可用余额',
  'wallet:withdrawing': '提现中',
};

const walletOut = z.object({
  frozenFen: fenOut,
  availableFen: fenOut,
  withdrawingFen: fenOut,
  /** What the member owes after a clawback took available below zero. */
  debtFen: fenOut,
  canWithdraw: z.boolean(),
});
const lineOut = z.object({
  id: z.number(),
  at: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  account: z.string(),
  accountLabel: z.string(),
  amountFen: fenOut,
  balanceAfterFen: fenOut,
  debtRepaidFen: fenOut,
  sourceType: z.string(),
  sourceId: z.string(),
  entryId: z.number(),
  memo: z.string().nullable(),
  explanations: z.array(z.string()).describe('for reward lines: each payout of the entry in words (event, rule and version, position, base, rate, result, cuts)'),
});
const statementQuery = z.object({
  type: z.string().max(200).optional().describe('comma-separated entry types, e.g. credit,clawback'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  cursor: cursorParam,
  limit: pageLimit,
});
type StatementQuery = z.output<typeof statementQuery>;

const toLine = (l: StatementLine, explanations: Map<number, string[]>) => ({
  id: l.id,
  at: l.at.toISOString(),
  type: l.type,
  typeLabel: entryTypeLabels[l.type] ?? l.type,
  account: l.account,
  accountLabel: accountLabels[l.account] ?? l.account,
  amountFen: l.amount.toString(),
  balanceAfterFen: l.balanceAfter.toString(),
  debtRepaidFen: l.debtRepaid.toString(),
  sourceType: l.sourceType,
  sourceId: l.sourceId,
  entryId: l.entryId,
  memo: l.memo,
  explanations: l.type === 'reward' ? (explanations.get(l.entryId) ?? []) : [],
});

async function statementPage(ctx: AppContext, memberId: number, q: StatementQuery) {
  const page = await listStatement(ctx.db, filterOf(memberId, q));
  const rewardEntries = page.items.filter((l) => l.type === 'reward').map((l) => l.entryId);
  const explanations = await explanationsByEntry(ctx.db, memberId, rewardEntries);
  return { items: page.items.map((l) => toLine(l, explanations)), nextCursor: page.nextCursor };
}

const filterOf = (memberId: number, q: StatementQuery, limit = q.limit): StatementFilter => ({
  memberId,
  types: q.type ? q.type.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
  before: q.cursor,
  limit,
});

async function walletView(ctx: AppContext, memberId: number) {
  const b = await walletBalance(ctx.db, memberId);
  return {
    frozenFen: b.frozen.toString(),
    availableFen: b.available.toString(),
    withdrawingFen: b.withdrawing.toString(),
    debtFen: (b.available < 0n ? -b.available : 0n).toString(),
    canWithdraw: b.available > 0n,
  };
}

/** Up to 50,000 lines per file, newest first; the filters of the listing apply. */
async function sendCsv(ctx: AppContext, reply: FastifyReply, memberId: number, q: StatementQuery) {
  const page = await listStatement(ctx.db, filterOf(memberId, q, 50_000));
  const csv = toCsv(
    ['time', 'type', 'account', 'amount_yuan', 'balance_after_yuan', 'debt_repaid_yuan', 'source', 'memo'],
    page.items.map((l) => [
      l.at.toISOString(),
      entryTypeLabels[l.type] ?? l.type,
      accountLabels[l.account] ?? l.account,
      formatYuan(l.amount),
      formatYuan(l.balanceAfter),
      formatYuan(l.debtRepaid),
      `${l.sourceType}:${l.sourceId}`,
      l.memo,
    ]),
  );
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="statement-${memberId}.csv"`)
    .send(csv);
}

export function walletRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['member: wallet'];

  app.get('/api/member/wallet', {
    config: { access: access.member },
    schema: { tags, summary: 'My balances', response: { 200: walletOut } },
  }, async (req) => walletView(ctx, requireMember(req).memberId));

  app.get('/api/member/statement', {
    config: { access: access.member },
    schema: { tags, summary: 'My statement (明细), newest first', querystring: statementQuery, response: { 200: z.object({ items: z.array(lineOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => statementPage(ctx, requireMember(req).memberId, req.query));

  app.get('/api/member/statement.csv', {
    config: { access: access.member },
    schema: { tags, summary: 'My statement as CSV', querystring: statementQuery },
  }, async (req, reply) => sendCsv(ctx, reply, requireMember(req).memberId, req.query));

  const adminTags = ['admin: members'];
  app.get('/api/admin/members/:id/wallet', {
    config: { access: access.anyStaff },
    schema: { tags: adminTags, summary: "A member's balances", params: idParam, response: { 200: walletOut } },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    return walletView(ctx, req.params.id);
  });

  app.get('/api/admin/members/:id/statement', {
    config: { access: access.anyStaff },
    schema: { tags: adminTags, summary: "A member's statement", params: idParam, querystring: statementQuery, response: { 200: z.object({ items: z.array(lineOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    return statementPage(ctx, req.params.id, req.query);
  });

  app.get('/api/admin/members/:id/statement.csv', {
    config: { access: access.staff('owner', 'finance', 'risk') },
    schema: { tags: adminTags, summary: "A member's statement as CSV", params: idParam, querystring: statementQuery },
  }, async (req, reply) => {
    await getMember(ctx.db, req.params.id);
    return sendCsv(ctx, reply, req.params.id, req.query);
  });
}
