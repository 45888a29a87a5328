import crypto from 'node:crypto';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { sessions } from './auth.schema.js';

export type SubjectKind = 'member' | 'staff';

const prefix: Record<SubjectKind, string> = { member: 'slm_', staff: 'sls_' };

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export interface NewSession {
  token: string;
  sessionId: number;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  input: { kind: SubjectKind; subjectId: number; ttlHours: number; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  // 256 bits of randomness; the kind prefix lets log scanners and people tell tokens apart.
  const token = prefix[input.kind] + crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.ttlHours * 3_600_000);
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: hashToken(token),
      subjectKind: input.kind,
      subjectId: input.subjectId,
      expiresAt,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    })
    .returning({ id: sessions.id });
  return { token, sessionId: row!.id, expiresAt };
}

export interface ActiveSession {
  id: number;
  kind: SubjectKind;
  subjectId: number;
  lastSeenAt: Date;
}

/** A session that exists, is not revoked and has not expired; null otherwise. */
export async function findActiveSession(db: Db, token: string): Promise<ActiveSession | null> {
  if (!/^sl[ms]_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const [row] = await db
    .select({ id: sessions.id, kind: sessions.subjectKind, subjectId: sessions.subjectId, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .limit(1);
  return row ?? null;
}

/** Keeps "last seen" useful without a write on every request. */
export async function touchSession(db: Db, session: ActiveSession): Promise<void> {
  if (Date.now() - session.lastSeenAt.getTime() < 60_000) return;
  await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.id, session.id));
}

export async function revokeSession(db: Db, sessionId: number, reason: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Ends every live session of a subject, optionally keeping one (the caller's own). Returns how many ended. */
export async function revokeAllSessions(
  db: Db,
  kind: SubjectKind,
  subjectId: number,
  reason: string,
  exceptSessionId?: number,
): Promise<number> {
  const conditions = [eq(sessions.subjectKind, kind), eq(sessions.subjectId, subjectId), isNull(sessions.revokedAt)];
  if (exceptSessionId !== undefined) conditions.push(ne(sessions.id, exceptSessionId));
  const rows = await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(...conditions))
    .returning({ id: sessions.id });
  return rows.length;
}

export async function listActiveSessions(db: Db, kind: SubjectKind, subjectId: number) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(and(eq(sessions.subjectKind, kind), eq(sessions.subjectId, subjectId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(sessions.id);
}
