import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { auditLog } from './audit.schema.js';

export interface AuditContext {
  actorKind: 'staff' | 'member' | 'system';
  actorId: number | null;
  ip: string | null;
  requestId: string | null;
}

export function auditContextOf(request: FastifyRequest): AuditContext {
  const p = request.principal;
  return {
    actorKind: p?.kind ?? 'system',
    actorId: p ? (p.kind === 'staff' ? p.staffId : p.memberId) : null,
    ip: request.ip,
    requestId: request.id,
  };
}

export const systemAuditContext = (label = 'system'): AuditContext => ({ actorKind: 'system', actorId: null, ip: null, requestId: label });

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * Writes one audit entry. Pass the transaction that makes the change, so the
 * change and its record commit or vanish together.
 */
export async function recordAudit(db: Db, ctx: AuditContext, record: AuditRecord): Promise<void> {
  await db.insert(auditLog).values({
    actorKind: ctx.actorKind,
    actorId: ctx.actorId,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId == null ? null : String(record.targetId),
    before: record.before ?? null,
    after: record.after ?? null,
    reason: record.reason ?? null,
    ip: ctx.ip,
    requestId: ctx.requestId,
  });
}

export interface AuditFilter {
  actorKind?: 'staff' | 'member' | 'system' | undefined;
  actorId?: number | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Entries with a smaller id than this (the previous page's nextCursor). */
  before?: number | undefined;
  limit: number;
}

export async function listAudit(db: Db, filter: AuditFilter) {
  const where: SQL[] = [];
  if (filter.actorKind) where.push(eq(auditLog.actorKind, filter.actorKind));
  if (filter.actorId !== undefined) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.targetType) where.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) where.push(eq(auditLog.targetId, filter.targetId));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lte(auditLog.at, filter.to));
  if (filter.before !== undefined) where.push(lt(auditLog.id, filter.before));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return { items: page, nextCursor: rows.length > filter.limit ? String(page.at(-1)!.id) : null };
}
