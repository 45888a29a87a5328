import { and, desc, eq, ilike, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import type { PasswordStore } from '../auth/auth.routes.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { createSession, type NewSession, revokeAllSessions } from '../auth/sessions.service.js';
import { checkSmsCode, consumeSmsCode } from '../auth/sms.service.js';
import { inviteCodes } from '../referrals/referrals.schema.js';
import { bindFirst, memberByInviteCode } from '../referrals/tree.service.js';
import { readSettings, type SettingsDefinition } from '../settings/settings.service.js';
import { z } from 'zod';
import { type Member, members } from './members.schema.js';

export const memberStore: PasswordStore = {
  kind: 'member',
  table: 'members',
  async findForLogin(db, phone) {
    const [m] = await db.select().from(members).where(eq(members.phone, phone));
    if (!m) return null;
    const refusal = m.status === 'active' ? null : m.status === 'suspended' ? 'This account is suspended' : 'This account is closed';
    return { id: m.id, passwordHash: m.passwordHash, lockedUntil: m.lockedUntil, refusal };
  },
  async getPasswordHash(db, id) {
    const [m] = await db.select({ h: members.passwordHash }).from(members).where(eq(members.id, id));
    return m?.h ?? null;
  },
  async setPassword(db, id, hash) {
    await db.update(members).set({ passwordHash: hash, passwordChangedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(members.id, id));
  },
};

export async function isPhoneRegistered(db: Db, phone: string): Promise<boolean> {
  const [row] = await db.select({ id: members.id }).from(members).where(eq(members.phone, phone));
  return row !== undefined;
}

export interface RegisterInput {
  phone: string;
  passwordHash: string;
  smsCode: string;
  displayName?: string | undefined;
  ip: string | null;
  userAgent: string | null;
  deviceId?: string | undefined;
  sessionTtlHours: number;
  /** The inviter's code, typed in or carried by the invite link / poster QR code. */
  inviteCode?: string | undefined;
  inviteVia?: 'code' | 'link' | undefined;
}

/** Registration rules the operator sets (SPEC §2: the operator may require an inviter). */
export const registrationSettingsDef: SettingsDefinition<{ requireInviter: boolean }> = {
  key: 'registration',
  schema: z.object({ requireInviter: z.boolean() }),
  defaults: () => ({ requireInviter: false }),
};

/** Creates the account and its first session in one transaction; the SMS code is spent only if both succeed. */
export async function registerMember(db: Db, input: RegisterInput): Promise<{ member: Member; session: NewSession }> {
  if (!input.inviteCode && (await readSettings(db, registrationSettingsDef)).value.requireInviter) {
    throw new AppError('VALIDATION_FAILED', '注册需要邀请码：请通过邀请链接或输入邀请码注册', { field: 'inviteCode' });
  }
  const codeId = await checkSmsCode(db, { phone: input.phone, purpose: 'register', code: input.smsCode });
  return db.transaction(async (tx) => {
    await consumeSmsCode(tx, codeId);
    const [member] = await tx
      .insert(members)
      .values({
        phone: input.phone,
        passwordHash: input.passwordHash,
        displayName: input.displayName?.trim() || `商户${input.phone.slice(-4)}`,
        registrationIp: input.ip,
        registrationUserAgent: input.userAgent?.slice(0, 300) ?? null,
        registrationDeviceId: input.deviceId ?? null,
      })
      .onConflictDoNothing({ target: members.phone })
      .returning();
    if (!member) throw new AppError('PHONE_TAKEN', 'This phone number is already registered');
    if (input.inviteCode) {
      const inviterId = await memberByInviteCode(tx, input.inviteCode);
      if (inviterId === null) throw new AppError('BAD_REQUEST', 'The invite code is not valid', { field: 'inviteCode' });
      await bindFirst(tx, {
        memberId: member.id,
        parentId: inviterId,
        via: input.inviteVia === 'link' ? 'invite_link' : 'invite_code',
        actor: { actorKind: 'member', actorId: member.id, ip: input.ip, requestId: null },
      });
    }
    const session = await createSession(tx, {
      kind: 'member',
      subjectId: member.id,
      ttlHours: input.sessionTtlHours,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    return { member, session };
  });
}

/** Forgotten password: proven by an SMS code; every session of the account ends. */
export async function resetMemberPassword(
  db: Db,
  hasher: PasswordHasher,
  input: { phone: string; smsCode: string; newPassword: string },
): Promise<void> {
  const codeId = await checkSmsCode(db, { phone: input.phone, purpose: 'reset_password', code: input.smsCode });
  const newHash = await hasher.hash(input.newPassword);
  await db.transaction(async (tx) => {
    await consumeSmsCode(tx, codeId);
    const [m] = await tx.select({ id: members.id }).from(members).where(eq(members.phone, input.phone));
    if (!m) throw new AppError('SMS_CODE_INVALID', 'The verification code is wrong or has expired');
    await memberStore.setPassword(tx, m.id, newHash);
    // A reset also lifts a lock: the person has just proven they hold the phone.
    await tx.update(members).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(members.id, m.id));
    await revokeAllSessions(tx, 'member', m.id, 'password_reset');
  });
}

export async function getMember(db: Db, id: number): Promise<Member> {
  const [m] = await db.select().from(members).where(eq(members.id, id));
  if (!m) throw notFound('Member');
  return m;
}

export async function listMembers(db: Db, filter: { q?: string | undefined; status?: Member['status'] | undefined; before?: number | undefined; limit: number }) {
  const where: SQL[] = [];
  if (filter.q) {
    const q = filter.q.replace(/[%_\\]/g, (c) => `\\${c}`);
    // Invite codes match whole (they are stored upper-case): support quotes the code a member reads out.
    const byInviteCode = db.select({ memberId: inviteCodes.memberId }).from(inviteCodes).where(eq(inviteCodes.code, filter.q.trim().toUpperCase()));
    where.push(or(ilike(members.phone, `%${q}%`), ilike(members.displayName, `%${q}%`), inArray(members.id, byInviteCode))!);
  }
  if (filter.status) where.push(eq(members.status, filter.status));
  if (filter.before !== undefined) where.push(lt(members.id, filter.before));
  const rows = await db.select().from(members).where(where.length ? and(...where) : undefined).orderBy(desc(members.id)).limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return { items: page, nextCursor: rows.length > filter.limit ? String(page.at(-1)!.id) : null };
}

/** Staff lift a login lock early (e.g. after the member called support). */
export async function unlockMember(db: Db, audit: AuditContext, id: number): Promise<Member> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(members).where(eq(members.id, id)).for('update');
    if (!before) throw notFound('Member');
    const [after] = await tx.update(members).set({ failedLoginCount: 0, lockedUntil: null, updatedAt: sql`now()` }).where(eq(members.id, id)).returning();
    await recordAudit(tx, audit, {
      action: 'member.unlocked',
      targetType: 'member',
      targetId: id,
      before: { lockedUntil: before.lockedUntil, failedLoginCount: before.failedLoginCount },
      after: { lockedUntil: null, failedLoginCount: 0 },
    });
    return after!;
  });
}

/** Suspend or reactivate a member; suspension ends the member's sessions. */
export async function setMemberStatus(db: Db, audit: AuditContext, id: number, status: Member['status'], reason: string): Promise<Member> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(members).where(eq(members.id, id)).for('update');
    if (!before) throw notFound('Member');
    if (before.status === 'closed') throw new AppError('CONFLICT', 'A closed account cannot change status');
    const [after] = await tx.update(members).set({ status, updatedAt: sql`now()` }).where(eq(members.id, id)).returning();
    if (status !== 'active') await revokeAllSessions(tx, 'member', id, `status_${status}`);
    await recordAudit(tx, audit, { action: 'member.status_changed', targetType: 'member', targetId: id, before: { status: before.status }, after: { status }, reason });
    return after!;
  });
}
