import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { type FieldCipher, maskTail } from '../../lib/crypto.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { defineStateMachine } from '../../lib/state-machine.js';
import { type AuditContext, recordAudit, systemAuditContext } from '../audit/audit.service.js';
import { members } from '../members/members.schema.js';
import { emitEvents } from '../outbox/outbox.service.js';
import type { PaymentOrder } from '../payments/payments.schema.js';
import { registerPurpose } from '../payments/payments.service.js';
import { readSettings, type SettingsDefinition } from '../settings/settings.service.js';
import type { FileStore } from './files.js';
import { isValidIdNumber, isValidLicenceNo, normalizeIdNumber, normalizeLicenceNo, PHONE_PATTERN } from './identity.js';
import {
  type ApplicationState,
  type FileKind,
  fileKinds,
  onboardingApplications,
  onboardingEvents,
  onboardingFiles,
  onboardingRevisions,
} from './onboarding.schema.js';
import { riskSettingsDef, runRiskChecks } from './risk.service.js';

export const applicationMachine = defineStateMachine<ApplicationState>('onboarding application', {
  draft: ['submitted'],
  submitted: ['approved', 'rejected'],
  rejected: ['submitted'],
  approved: ['fee_pending'],
  fee_pending: ['active'],
  active: [],
});

/** The entry fee (入驻费) an approved member pays to become active. */
export const entryFeeSettingsDef: SettingsDefinition<{ amountFen: bigint; orderTtlMinutes: number }> = {
  key: 'entry_fee',
  schema: z.object({
    amountFen: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().min(1)]).transform((v) => BigInt(v)),
    orderTtlMinutes: z.number().int().min(5).max(24 * 60),
  }),
  defaults: () => ({ amountFen: 99_900n, orderTtlMinutes: 30 }),
  check: (v) => (v.amountFen < 1n ? ['amountFen: the entry fee must be at least 1 fen'] : []),
};

/** The form (SPEC §3). Drafts may be partial; every field present must already be well-formed. */
export const applicationFields = z.object({
  businessName: z.string().trim().min(2).max(100),
  licenceNo: z
    .string()
    .transform(normalizeLicenceNo)
    .refine(isValidLicenceNo, { message: '统一社会信用代码格式或校验位不正确' }),
  legalName: z.string().trim().min(2).max(40),
  idNumber: z
    .string()
    .transform(normalizeIdNumber)
    .refine((v) => isValidIdNumber(v), { message: '身份证号码格式、出生日期或校验位不正确' }),
  contactPhone: z.string().trim().regex(PHONE_PATTERN, { message: '请输入 11 位手机号' }),
  address: z.string().trim().min(5).max(200),
  category: z.string().trim().min(1).max(40),
  bankAccountName: z.string().trim().min(2).max(100),
  bankName: z.string().trim().min(2).max(60),
  bankAccountNo: z
    .string()
    .transform((v) => v.replace(/\s+/g, ''))
    .refine((v) => /^\d{8,30}$/.test(v), { message: '银行卡号应为 8–30 位数字' }),
});
export type ApplicationInput = z.infer<typeof applicationFields>;
const fieldNames = Object.keys(applicationFields.shape) as (keyof ApplicationInput)[];

const fieldLabels: Record<keyof ApplicationInput | FileKind, string> = {
  businessName: '商户名称',
  licenceNo: '统一社会信用代码',
  legalName: '法人姓名',
  idNumber: '法人身份证号',
  contactPhone: '联系电话',
  address: '经营地址',
  category: '经营类目',
  bankAccountName: '结算账户名',
  bankName: '开户银行',
  bankAccountNo: '结算账号',
  licence: '营业执照照片',
  id_front: '身份证人像面',
  id_back: '身份证国徽面',
  storefront: '门头照片',
};

type Application = typeof onboardingApplications.$inferSelect;
const editable: ApplicationState[] = ['draft', 'rejected'];

async function lockApplication(tx: Db, memberId: number): Promise<Application | undefined> {
  const [row] = await tx.select().from(onboardingApplications).where(eq(onboardingApplications.memberId, memberId)).for('update');
  return row;
}

async function lockOrCreateDraft(tx: Db, memberId: number): Promise<Application> {
  await tx.insert(onboardingApplications).values({ memberId }).onConflictDoNothing();
  const row = await lockApplication(tx, memberId);
  if (!row) throw notFound('Member');
  if (!editable.includes(row.state)) {
    throw new AppError('CONFLICT', row.state === 'submitted' ? '申请审核中，暂不能修改' : '申请已通过，不能再修改', { state: row.state });
  }
  return row;
}

/** Moves the application and writes its history row (and the audit log), in the caller's transaction. */
async function transition(tx: Db, app: Application, to: ApplicationState, actor: AuditContext, reason: string | null, set: Partial<Application> = {}) {
  applicationMachine.assert(app.state, to);
  const [updated] = await tx
    .update(onboardingApplications)
    .set({ ...set, state: to, updatedAt: sql`now()` })
    .where(and(eq(onboardingApplications.memberId, app.memberId), eq(onboardingApplications.state, app.state)))
    .returning();
  if (!updated) throw new AppError('CONFLICT', 'The application was changed meanwhile; reload it');
  await tx.insert(onboardingEvents).values({ memberId: app.memberId, fromState: app.state, toState: to, actorKind: actor.actorKind, actorId: actor.actorId, reason });
  await recordAudit(tx, actor, { action: `onboarding.${to}`, targetType: 'member', targetId: app.memberId, before: { state: app.state }, after: { state: to }, reason });
  return updated;
}

/** Saves (part of) the form while it is a draft or after a rejection. */
export async function saveDraft(db: Db, cipher: FieldCipher, memberId: number, input: Partial<ApplicationInput>) {
  return db.transaction(async (tx) => {
    await lockOrCreateDraft(tx, memberId);
    const set: Partial<Application> = {};
    if (input.businessName !== undefined) set.businessName = input.businessName;
    if (input.licenceNo !== undefined) set.licenceNo = input.licenceNo;
    if (input.legalName !== undefined) set.legalName = input.legalName;
    if (input.idNumber !== undefined) {
      set.idNumberEnc = cipher.encrypt(input.idNumber);
      set.idNumberDigest = cipher.digest(`id_number:${input.idNumber}`);
      set.idNumberTail = input.idNumber.slice(-4);
    }
    if (input.contactPhone !== undefined) set.contactPhone = input.contactPhone;
    if (input.address !== undefined) set.address = input.address;
    if (input.category !== undefined) set.category = input.category;
    if (input.bankAccountName !== undefined) set.bankAccountName = input.bankAccountName;
    if (input.bankName !== undefined) set.bankName = input.bankName;
    if (input.bankAccountNo !== undefined) {
      set.bankAccountEnc = cipher.encrypt(input.bankAccountNo);
      set.bankAccountTail = input.bankAccountNo.slice(-4);
    }
    const [row] = await tx.update(onboardingApplications).set({ ...set, updatedAt: sql`now()` }).where(eq(onboardingApplications.memberId, memberId)).returning();
    return row!;
  });
}

/** Uploads one member may keep (current images plus those of earlier submissions, kept as evidence). */
export const MAX_FILES_PER_MEMBER = 40;

/** Stores an image and puts it on the application in place of the previous one of its kind. */
export async function attachFile(db: Db, store: FileStore, memberId: number, kind: FileKind, bytes: Buffer) {
  // Refuse before writing anything to disk when the application is locked or the member has uploaded too much.
  const [current] = await db.select({ state: onboardingApplications.state }).from(onboardingApplications).where(eq(onboardingApplications.memberId, memberId));
  if (current && !editable.includes(current.state)) throw new AppError('CONFLICT', '申请已提交，不能更换照片', { state: current.state });
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(onboardingFiles).where(eq(onboardingFiles.memberId, memberId));
  if ((count?.n ?? 0) >= MAX_FILES_PER_MEMBER) throw new AppError('CONFLICT', `上传次数过多（最多 ${MAX_FILES_PER_MEMBER} 张），请联系客服`, { max: MAX_FILES_PER_MEMBER });
  const stored = await store.save(memberId, bytes);
  try {
    return await db.transaction(async (tx) => {
      const app = await lockOrCreateDraft(tx, memberId);
      const [file] = await tx.insert(onboardingFiles).values({ memberId, kind, ...stored }).returning();
      await tx
        .update(onboardingApplications)
        .set({ files: { ...app.files, [kind]: file!.id }, updatedAt: sql`now()` })
        .where(eq(onboardingApplications.memberId, memberId));
      return file!;
    });
  } catch (err) {
    // The row was not written (e.g. the application was submitted meanwhile): the bytes must not linger.
    await store.remove(stored.storageKey).catch(() => {});
    throw err;
  }
}

/** A file of a member's; null when it is not theirs, so nobody learns that another member's file exists. */
export async function findFile(db: Db, fileId: number, memberId?: number) {
  const [file] = await db
    .select()
    .from(onboardingFiles)
    .where(memberId === undefined ? eq(onboardingFiles.id, fileId) : and(eq(onboardingFiles.id, fileId), eq(onboardingFiles.memberId, memberId)));
  return file ?? null;
}

function missingParts(app: Application): string[] {
  const missing: string[] = [];
  const has: Record<keyof ApplicationInput, unknown> = {
    businessName: app.businessName,
    licenceNo: app.licenceNo,
    legalName: app.legalName,
    idNumber: app.idNumberEnc,
    contactPhone: app.contactPhone,
    address: app.address,
    category: app.category,
    bankAccountName: app.bankAccountName,
    bankName: app.bankName,
    bankAccountNo: app.bankAccountEnc,
  };
  for (const f of fieldNames) if (has[f] == null) missing.push(f);
  for (const k of fileKinds) if (app.files[k] === undefined) missing.push(k);
  return missing;
}

/**
 * Sends the application to review: the form must be complete; the risk
 * checks run and their flags are stored with the submission, which is kept
 * as a revision so later resubmissions do not overwrite it.
 */
export async function submitApplication(db: Db, cipher: FieldCipher, memberId: number, actor: AuditContext) {
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, memberId);
    if (!app) throw new AppError('BAD_REQUEST', '请先填写进件资料');
    applicationMachine.assert(app.state, 'submitted');
    const missing = missingParts(app);
    if (missing.length > 0) {
      throw new AppError('VALIDATION_FAILED', `资料不完整：${missing.map((m) => fieldLabels[m as keyof typeof fieldLabels]).join('、')}`, { missing });
    }
    const { value: settings } = await readSettings(tx, riskSettingsDef);
    const idNumber = cipher.decrypt(app.idNumberEnc!);
    const riskFlags = await runRiskChecks(tx, cipher, settings, {
      memberId,
      licenceNo: app.licenceNo!,
      idNumber,
      idNumberDigest: app.idNumberDigest!,
      contactPhone: app.contactPhone!,
      submitIp: actor.ip,
    });
    const revision = app.revision + 1;
    const { createdAt: _c, updatedAt: _u, riskFlags: _r, ...snapshot } = app;
    await tx.insert(onboardingRevisions).values({ memberId, revision, snapshot: { ...snapshot, revision }, riskFlags });
    return transition(tx, app, 'submitted', actor, revision > 1 ? `第 ${revision} 次提交` : null, {
      revision,
      riskFlags,
      submittedAt: new Date(),
      submitIp: actor.ip,
      reviewedAt: null,
      reviewedBy: null,
      reviewReason: null,
    });
  });
}

/** A reviewer's decision on the current submission; a rejection needs a reason the member will read. */
export async function reviewApplication(db: Db, actor: AuditContext, memberId: number, decision: 'approved' | 'rejected', reason: string | null) {
  if (decision === 'rejected' && !reason) throw new AppError('VALIDATION_FAILED', '驳回时必须填写原因', { field: 'reason' });
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, memberId);
    if (!app) throw notFound('Application');
    const updated = await transition(tx, app, decision, actor, reason, { reviewedAt: new Date(), reviewedBy: actor.actorId, reviewReason: reason });
    await tx
      .update(onboardingRevisions)
      .set({ decision, decidedBy: actor.actorId, decisionReason: reason, decidedAt: sql`now()` })
      .where(and(eq(onboardingRevisions.memberId, memberId), eq(onboardingRevisions.revision, app.revision)));
    return updated;
  });
}

/** The entry fee as a payment purpose: open only to approved applications, and what confirmation does. */
registerPurpose('entry_fee', {
  feeAccount: 'fees:onboarding',
  label: '入驻费',
  reusePending: true,
  async price(tx, memberId) {
    const [app] = await tx.select({ state: onboardingApplications.state }).from(onboardingApplications).where(eq(onboardingApplications.memberId, memberId));
    if (!app || !['approved', 'fee_pending'].includes(app.state)) {
      throw new AppError('CONFLICT', app?.state === 'active' ? '入驻费已支付' : '进件审核通过后才能支付入驻费', { state: app?.state ?? null });
    }
    const { value } = await readSettings(tx, entryFeeSettingsDef);
    return { amount: value.amountFen, ttlMinutes: value.orderTtlMinutes };
  },
  async onOrderCreated(tx, order) {
    const app = await lockApplication(tx, order.memberId);
    if (app?.state === 'approved') await transition(tx, app, 'fee_pending', { actorKind: 'member', actorId: order.memberId, ip: null, requestId: null }, `支付单 ${order.orderNo}`);
  },
  async onConfirmed(tx, order, paidAt) {
    await activateOnFeePaid(tx, order, paidAt);
  },
});

async function activateOnFeePaid(tx: Db, order: PaymentOrder, paidAt: Date) {
  const app = await lockApplication(tx, order.memberId);
  const system = systemAuditContext('payment-confirmation');
  if (!app || app.state === 'active') {
    // Paid twice (two orders both paid) or without an application: the money is booked; a person refunds it.
    await recordAudit(tx, system, { action: 'onboarding.extra_fee_payment', targetType: 'payment_order', targetId: order.id, after: { orderNo: order.orderNo, state: app?.state ?? null }, reason: '入驻费重复支付，需人工退款' });
    return;
  }
  // An order opened before approval moved it cannot exist (price() refuses), but an approved application may skip fee_pending if its order was created elsewhere.
  const pending = app.state === 'approved' ? await transition(tx, app, 'fee_pending', system, `支付单 ${order.orderNo}`) : app;
  await transition(tx, pending, 'active', system, `入驻费已支付（${order.orderNo}）`, { activatedAt: paidAt });
  await emitEvents(tx, [
    {
      type: 'onboarding_fee_paid',
      subject: `member:${order.memberId}`,
      payload: { memberId: order.memberId, orderId: order.id, orderNo: order.orderNo, amountFen: order.amount.toString(), paidAt: paidAt.toISOString() },
    },
  ]);
}

export interface ApplicationView {
  memberId: number;
  state: ApplicationState | 'none';
  fields: Partial<Record<keyof ApplicationInput, string | null>>;
  /** True when the sensitive fields are shown in full (risk/owner only). */
  revealed: boolean;
  files: { kind: FileKind; fileId: number }[];
  missing: string[];
  revision: number;
  submittedAt: string | null;
  reviewedAt: string | null;
  reviewReason: string | null;
  activatedAt: string | null;
}

/** The application as a caller may see it: ID and bank numbers masked unless `reveal`. */
export function viewApplication(app: Application | null, memberId: number, cipher: FieldCipher, reveal: boolean): ApplicationView {
  if (!app) return { memberId, state: 'none', fields: {}, revealed: reveal, files: [], missing: [...fieldNames, ...fileKinds], revision: 0, submittedAt: null, reviewedAt: null, reviewReason: null, activatedAt: null };
  const secret = (enc: string | null, tail: string | null) => (enc == null ? null : reveal ? cipher.decrypt(enc) : maskTail(`${'0'.repeat(8)}${tail ?? ''}`, 4));
  return {
    memberId: app.memberId,
    state: app.state,
    fields: {
      businessName: app.businessName,
      licenceNo: app.licenceNo,
      legalName: app.legalName,
      idNumber: secret(app.idNumberEnc, app.idNumberTail),
      contactPhone: app.contactPhone,
      address: app.address,
      category: app.category,
      bankAccountName: app.bankAccountName,
      bankName: app.bankName,
      bankAccountNo: secret(app.bankAccountEnc, app.bankAccountTail),
    },
    revealed: reveal,
    files: fileKinds.flatMap((kind) => (app.files[kind] === undefined ? [] : [{ kind, fileId: app.files[kind] }])),
    missing: missingParts(app),
    revision: app.revision,
    submittedAt: app.submittedAt?.toISOString() ?? null,
    reviewedAt: app.reviewedAt?.toISOString() ?? null,
    reviewReason: app.reviewReason,
    activatedAt: app.activatedAt?.toISOString() ?? null,
  };
}

export async function getApplication(db: Db, memberId: number): Promise<Application | null> {
  const [row] = await db.select().from(onboardingApplications).where(eq(onboardingApplications.memberId, memberId));
  return row ?? null;
}

export async function applicationHistory(db: Db, memberId: number) {
  const [events, revisions] = await Promise.all([
    db.select().from(onboardingEvents).where(eq(onboardingEvents.memberId, memberId)).orderBy(asc(onboardingEvents.id)),
    db.select().from(onboardingRevisions).where(eq(onboardingRevisions.memberId, memberId)).orderBy(asc(onboardingRevisions.revision)),
  ]);
  return { events, revisions };
}

/** The review queue: oldest submission first, so nobody waits behind newer ones. */
export async function listApplications(db: Db, filter: { state?: ApplicationState | undefined; flagged?: boolean | undefined; after?: string | undefined; limit: number }) {
  const where = [];
  if (filter.state) where.push(eq(onboardingApplications.state, filter.state));
  if (filter.flagged) where.push(sql`jsonb_array_length(${onboardingApplications.riskFlags}) > 0`);
  // Millisecond precision, so the cursor (an ISO time) compares equal to what it was made from.
  const queuedAt = sql`date_trunc('milliseconds', coalesce(${onboardingApplications.submittedAt}, ${onboardingApplications.createdAt}))`;
  if (filter.after) {
    const [at, id] = filter.after.split('_');
    where.push(sql`(${queuedAt}, ${onboardingApplications.memberId}) > (${at}::timestamptz, ${Number(id)})`);
  }
  const rows = await db
    .select({ app: onboardingApplications, displayName: members.displayName, phone: members.phone })
    .from(onboardingApplications)
    .innerJoin(members, eq(members.id, onboardingApplications.memberId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(queuedAt, asc(onboardingApplications.memberId))
    .limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > filter.limit && last ? `${(last.app.submittedAt ?? last.app.createdAt).toISOString()}_${last.app.memberId}` : null,
  };
}

export const entryFeeOf = async (db: Db): Promise<Fen> => (await readSettings(db, entryFeeSettingsDef)).value.amountFen;
