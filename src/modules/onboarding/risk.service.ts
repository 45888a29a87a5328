import { and, desc, eq, lt, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db/client.js';
import { type FieldCipher, maskTail } from '../../lib/crypto.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { members } from '../members/members.schema.js';
import type { SettingsDefinition } from '../settings/settings.service.js';
import { normalizeIdNumber, normalizeLicenceNo } from './identity.js';
import { type BlacklistKind, onboardingApplications, type RiskFlag, riskBlacklist } from './onboarding.schema.js';

/** When registrations from one IP or one device count as a burst (SPEC §2). */
export interface RiskSettings {
  burstWindowMinutes: number;
  burstMaxPerIp: number;
  burstMaxPerDevice: number;
}

export const riskSettingsDef: SettingsDefinition<RiskSettings> = {
  key: 'risk',
  schema: z.object({
    burstWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
    burstMaxPerIp: z.number().int().min(1).max(10_000),
    burstMaxPerDevice: z.number().int().min(1).max(10_000),
  }),
  defaults: () => ({ burstWindowMinutes: 60, burstMaxPerIp: 5, burstMaxPerDevice: 3 }),
};

/** The form each kind is compared in: the same number typed with spaces or lower case must still match. */
export function normalizeBlacklistValue(kind: BlacklistKind, raw: string): string {
  const v = raw.trim();
  if (kind === 'id_number') return normalizeIdNumber(v);
  if (kind === 'licence') return normalizeLicenceNo(v);
  if (kind === 'phone') return v.replace(/[\s-]/g, '');
  return v.toLowerCase();
}

export async function addToBlacklist(db: Db, cipher: FieldCipher, audit: AuditContext, input: { kind: BlacklistKind; value: string; reason: string }) {
  const value = normalizeBlacklistValue(input.kind, input.value);
  const display = input.kind === 'id_number' ? maskTail(value, 4) : value;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(riskBlacklist)
      .values({ kind: input.kind, digest: cipher.digest(`${input.kind}:${value}`), display, reason: input.reason, createdBy: audit.actorId })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('CONFLICT', 'This value is already on the blacklist');
    await recordAudit(tx, audit, { action: 'risk.blacklist.add', targetType: 'blacklist', targetId: row.id, after: { kind: row.kind, display: row.display }, reason: input.reason });
    return row;
  });
}

export async function removeFromBlacklist(db: Db, audit: AuditContext, id: number, reason: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(riskBlacklist).where(eq(riskBlacklist.id, id)).returning();
    if (!row) throw notFound('Blacklist entry');
    await recordAudit(tx, audit, { action: 'risk.blacklist.remove', targetType: 'blacklist', targetId: id, before: { kind: row.kind, display: row.display, reason: row.reason }, reason });
  });
}

export async function listBlacklist(db: Db, filter: { kind?: BlacklistKind | undefined; before?: number | undefined; limit: number }) {
  const where = [];
  if (filter.kind) where.push(eq(riskBlacklist.kind, filter.kind));
  if (filter.before !== undefined) where.push(lt(riskBlacklist.id, filter.before));
  const rows = await db.select().from(riskBlacklist).where(where.length ? and(...where) : undefined).orderBy(desc(riskBlacklist.id)).limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.id) : null };
}

export interface RiskSubject {
  memberId: number;
  licenceNo: string;
  idNumber: string;
  idNumberDigest: string;
  contactPhone: string;
  submitIp: string | null;
}

const maskPhone = (p: string) => (p.length >= 11 ? `${p.slice(0, 3)}****${p.slice(-4)}` : maskTail(p));

/**
 * Every risk signal of a submission, each with its evidence. Nothing here
 * decides: the flags go to the reviewer, who approves or rejects.
 */
export async function runRiskChecks(db: Db, cipher: FieldCipher, settings: RiskSettings, s: RiskSubject): Promise<RiskFlag[]> {
  const flags: RiskFlag[] = [];
  const [member] = await db.select().from(members).where(eq(members.id, s.memberId));
  if (!member) throw notFound('Member');

  const others = (column: typeof onboardingApplications.licenceNo | typeof onboardingApplications.idNumberDigest, value: string) =>
    db
      .select({ memberId: onboardingApplications.memberId, state: onboardingApplications.state, businessName: onboardingApplications.businessName, displayName: members.displayName })
      .from(onboardingApplications)
      .innerJoin(members, eq(members.id, onboardingApplications.memberId))
      .where(and(eq(column, value), ne(onboardingApplications.memberId, s.memberId)))
      .limit(20);

  const sameLicence = await others(onboardingApplications.licenceNo, s.licenceNo);
  if (sameLicence.length > 0) {
    flags.push({ code: 'duplicate_licence', message: `营业执照号已被 ${sameLicence.length} 个其他商户使用`, evidence: { licenceNo: s.licenceNo, members: sameLicence } });
  }
  const sameId = await others(onboardingApplications.idNumberDigest, s.idNumberDigest);
  if (sameId.length > 0) {
    flags.push({ code: 'duplicate_id_number', message: `法人身份证号已被 ${sameId.length} 个其他商户使用`, evidence: { idNumber: maskTail(s.idNumber, 4), members: sameId } });
  }

  const candidates: { kind: BlacklistKind; value: string; field: string; shown: string }[] = [
    { kind: 'phone', value: member.phone, field: '注册手机号', shown: maskPhone(member.phone) },
    { kind: 'phone', value: s.contactPhone, field: '联系电话', shown: maskPhone(s.contactPhone) },
    { kind: 'id_number', value: s.idNumber, field: '法人身份证号', shown: maskTail(s.idNumber, 4) },
    { kind: 'licence', value: s.licenceNo, field: '营业执照号', shown: s.licenceNo },
  ];
  if (member.registrationIp) candidates.push({ kind: 'ip', value: member.registrationIp, field: '注册 IP', shown: member.registrationIp });
  if (s.submitIp && s.submitIp !== member.registrationIp) candidates.push({ kind: 'ip', value: s.submitIp, field: '提交 IP', shown: s.submitIp });
  const withDigest = candidates.map((c) => ({ ...c, digest: cipher.digest(`${c.kind}:${normalizeBlacklistValue(c.kind, c.value)}`) }));
  const hits = await db
    .select()
    .from(riskBlacklist)
    .where(or(...withDigest.map((c) => and(eq(riskBlacklist.kind, c.kind), eq(riskBlacklist.digest, c.digest)))));
  for (const hit of hits) {
    for (const c of withDigest.filter((c) => c.kind === hit.kind && c.digest === hit.digest)) {
      flags.push({ code: 'blacklist', message: `${c.field}命中黑名单`, evidence: { field: c.field, kind: c.kind, value: c.shown, entryId: hit.id, reason: hit.reason, listedAt: hit.createdAt.toISOString() } });
    }
  }

  // Registrations near this member's own, from the same IP / device.
  const burst = async (column: 'registration_ip' | 'registration_device_id', value: string) =>
    queryRows<{ id: number | string; display_name: string; created_at: Date | string }>(db, sql`
      select id, display_name, created_at from members
      where ${sql.identifier(column)} = ${value}
        and created_at between ${member.createdAt.toISOString()}::timestamptz - make_interval(mins => ${settings.burstWindowMinutes})
                           and ${member.createdAt.toISOString()}::timestamptz + make_interval(mins => ${settings.burstWindowMinutes})
      order by created_at limit 200`);
  const describe = (rows: Awaited<ReturnType<typeof burst>>) => rows.slice(0, 20).map((r) => ({ memberId: Number(r.id), displayName: r.display_name, registeredAt: new Date(r.created_at).toISOString() }));
  if (member.registrationIp) {
    const rows = await burst('registration_ip', member.registrationIp);
    if (rows.length > settings.burstMaxPerIp) {
      flags.push({
        code: 'registration_burst_ip',
        message: `同一 IP 在 ±${settings.burstWindowMinutes} 分钟内注册了 ${rows.length} 个账号（阈值 ${settings.burstMaxPerIp}）`,
        evidence: { ip: member.registrationIp, count: rows.length, windowMinutes: settings.burstWindowMinutes, threshold: settings.burstMaxPerIp, members: describe(rows) },
      });
    }
  }
  if (member.registrationDeviceId) {
    const rows = await burst('registration_device_id', member.registrationDeviceId);
    if (rows.length > settings.burstMaxPerDevice) {
      flags.push({
        code: 'registration_burst_device',
        message: `同一设备在 ±${settings.burstWindowMinutes} 分钟内注册了 ${rows.length} 个账号（阈值 ${settings.burstMaxPerDevice}）`,
        evidence: { deviceId: member.registrationDeviceId, count: rows.length, windowMinutes: settings.burstWindowMinutes, threshold: settings.burstMaxPerDevice, members: describe(rows) },
      });
    }
  }
  return flags;
}
