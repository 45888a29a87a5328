import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../lib/errors.js';
import { cursorParam, idParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { fenOut, formatYuan } from '../../lib/money.js';
import { access } from '../auth/access.js';
import { sendCsvDownload, toCsv } from '../../lib/http/csv.js';
import { exportEntries, getEntry, type JournalEntry, listEntries } from './entries.service.js';
import { type Account, memberAccounts, platformAccounts } from './ledger.schema.js';
import { type EntryKind, entryKinds, platformBalance } from './ledger.service.js';
import { verifyLedger } from './verify.service.js';

const postingOut = z.object({
  id: z.number(),
  account: z.enum([...memberAccounts, ...platformAccounts]),
  member: z.object({ id: z.number(), displayName: z.string(), phone: z.string().describe('masked') }).nullable().describe('the wallet owner; null for platform accounts'),
  amountFen: fenOut.describe('signed, as the ledger stores it; the postings of an entry sum to zero'),
  debitFen: fenOut.nullable().describe('the amount when positive (借方), else null'),
  creditFen: fenOut.nullable().describe('minus the amount when negative (贷方), else null'),
  balanceAfterFen: fenOut.nullable().describe('wallet balance after the posting; null for platform accounts'),
});
const entryOut = z.object({
  id: z.number(),
  kind: z.string(),
  idempotencyKey: z.string(),
  sourceType: z.string(),
  sourceId: z.string(),
  memo: z.string().nullable(),
  createdAt: z.string(),
  totalFen: fenOut.describe('the size of the entry: the sum of its debits'),
  postings: z.array(postingOut),
});
const entryFilters = z.object({
  kind: z.string().max(300).optional().describe(`comma-separated entry kinds: ${entryKinds.join(', ')}`),
  key: z.string().min(1).max(200).optional().describe('idempotency key prefix, e.g. "withdrawal:42:" or "reward:"'),
  memberId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe("entries with a posting on this member's wallet"),
  from: isoDate.optional().describe('created at or after'),
  to: isoDate.optional().describe('created before'),
});
const entriesQuery = entryFilters.extend({ cursor: cursorParam, limit: pageLimit });

/** The most rows (postings) one CSV export holds; more matches answer 400 (narrow the filters). */
export const LEDGER_CSV_MAX_ROWS = 50_000;
const kindLabels: Record<EntryKind, string> = {
  credit: '入账',
  reward: '奖励',
  dividend: '分红',
  release: '解冻',
  clawback: '追回',
  withdrawal_request: '提现申请',
  withdrawal_reject: '提现驳回',
  withdrawal_paid: '提现到账',
  withdrawal_failed: '提现失败退回',
  payment: '支付收款',
  adjustment: '调整',
};
const accountLabels: Record<Account, string> = {
  'wallet:frozen': '会员冻结余额',
  'wallet:available': '会员可用余额',
  'wallet:withdrawing': '会员提现中',
  'fees:onboarding': '入驻费收入',
  'fees:level': '等级购买收入',
  'fees:withdrawal': '提现手续费收入',
  'rewards:expense': '奖励支出',
  'channel:clearing': '支付通道清算',
  'payouts:clearing': '打款清算',
  rounding: '舍入差额',
};
const csvHeader = ['分录号', '记账时间', '类型', '幂等键', '来源', '摘要', '科目', '科目代码', '会员ID', '会员', '手机号', '借方(元)', '贷方(元)', '过账后余额(元)'];


const kindsOf = (s: string | undefined) => {
  const list = s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
  const bad = list?.filter((x) => !(entryKinds as readonly string[]).includes(x));
  if (bad?.length) throw new AppError('VALIDATION_FAILED', `Unknown entry kind ${bad.join(', ')}`, [{ field: 'querystring.kind', message: `expected some of ${entryKinds.join(', ')}` }]);
  return list as EntryKind[] | undefined;
};

const filterOf = (q: z.output<typeof entryFilters>) => ({
  kinds: kindsOf(q.kind),
  keyPrefix: q.key,
  memberId: q.memberId,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
});

const toEntryOut = (e: JournalEntry) => ({
  id: e.id,
  kind: e.kind,
  idempotencyKey: e.idempotencyKey,
  sourceType: e.sourceType,
  sourceId: e.sourceId,
  memo: e.memo,
  createdAt: e.createdAt.toISOString(),
  totalFen: e.postings.reduce((sum, p) => (p.amount > 0n ? sum + p.amount : sum), 0n).toString(),
  postings: e.postings.map((p) => ({
    id: p.id,
    account: p.account,
    member: p.memberId === null ? null : { id: p.memberId, displayName: p.memberName ?? '', phone: p.memberPhone ?? '' },
    amountFen: p.amount.toString(),
    debitFen: p.amount > 0n ? p.amount.toString() : null,
    creditFen: p.amount < 0n ? (-p.amount).toString() : null,
    balanceAfterFen: p.balanceAfter === null ? null : p.balanceAfter.toString(),
  })),
});

export function ledgerRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: ledger'];

  app.get('/api/admin/ledger/verify', {
    config: { access: access.staff('owner', 'finance') },
    schema: {
      tags,
      summary: 'Verify the ledger: balanced entries, cached balances equal to postings, no negative frozen/withdrawing',
      response: {
        200: z.object({
          ok: z.boolean(),
          checkedAt: z.string(),
          entries: z.number(),
          postings: z.number(),
          wallets: z.number(),
          problems: z.array(z.object({ check: z.string(), account: z.string(), expected: z.string().optional(), actual: z.string().optional(), detail: z.string() })),
        }),
      },
    },
  }, async () => verifyLedger(ctx.db));

  app.get('/api/admin/ledger/platform-accounts', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags, summary: 'Balances of the platform accounts (derived from postings)', response: { 200: z.object({ items: z.array(z.object({ account: z.string(), balanceFen: fenOut })) }) } },
  }, async () => ({
    items: await Promise.all(platformAccounts.map(async (account) => ({ account, balanceFen: (await platformBalance(ctx.db, account)).toString() }))),
  }));

  app.get('/api/admin/ledger/entries', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: {
      tags,
      summary: 'Journal entries with their postings, newest first (filters: kind, key prefix, member, time range)',
      querystring: entriesQuery,
      response: { 200: z.object({ items: z.array(entryOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const page = await listEntries(ctx.db, { ...filterOf(req.query), before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toEntryOut), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/ledger/entries.csv', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: {
      tags,
      summary: "The journal as CSV, one row per posting (the journal's filters)",
      description: `Every posting of every entry the filters select, newest entry first, in one file of at most ${LEDGER_CSV_MAX_ROWS.toLocaleString('en')} rows; when more match the answer is 400 and the filters must be narrowed. zh-CN headers, UTF-8 with a BOM, debit and credit in yuan, times in the platform time zone, phones masked.`,
      querystring: entryFilters,
    },
  }, async (req, reply) => {
    const tz = ctx.config.PLATFORM_TIMEZONE;
    // One formatter for the whole file: building one per cell costs tens of microseconds, seconds for a large export.
    const time = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' });
    const entries = await exportEntries(ctx.db, filterOf(req.query), LEDGER_CSV_MAX_ROWS);
    const rows = entries.flatMap((e) => {
      const at = time.format(e.createdAt);
      return e.postings.map((p) => [
        e.id,
        at,
        kindLabels[e.kind as EntryKind] ?? e.kind,
        e.idempotencyKey,
        `${e.sourceType}:${e.sourceId}`,
        e.memo,
        accountLabels[p.account],
        p.account,
        p.memberId,
        p.memberName,
        p.memberPhone,
        p.amount > 0n ? formatYuan(p.amount) : null,
        p.amount < 0n ? formatYuan(-p.amount) : null,
        p.balanceAfter === null ? null : formatYuan(p.balanceAfter),
      ]);
    });
    return sendCsvDownload(reply, 'ledger', tz, toCsv(csvHeader, rows));
  });

  app.get('/api/admin/ledger/entries/:id', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags, summary: 'One journal entry with its postings', params: idParam, response: { 200: entryOut } },
  }, async (req) => toEntryOut(await getEntry(ctx.db, req.params.id)));
}
