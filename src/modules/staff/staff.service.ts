import crypto from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import type { PasswordStore } from '../auth/auth.routes.js';
import { assertStrongPassword, type PasswordHasher, STAFF_PASSWORD_MIN } from '../auth/passwords.js';
import { revokeAllSessions } from '../auth/sessions.service.js';
import { type Staff, staff, type StaffRole } from './staff.schema.js';

export const staffStore: PasswordStore = {
  kind: 'staff',
  table: 'staff',
  async findForLogin(db, username) {
    const [s] = await db.select().from(staff).where(eq(staff.username, username.toLowerCase()));
    if (!s) return null;
    return { id: s.id, passwordHash: s.passwordHash, lockedUntil: s.lockedUntil, refusal: s.status === 'active' ? null : 'This staff account is disabled' };
  },
  async getPasswordHash(db, id) {
    const [s] = await db.select({ h: staff.passwordHash }).from(staff).where(eq(staff.id, id));
    return s?.h ?? null;
  },
  async setPassword(db, id, hash) {
    await db.update(staff).set({ passwordHash: hash, mustChangePassword: false, updatedAt: sql`now()` }).where(eq(staff.id, id));
  },
};

/** What audit entries and API answers show of a staff account: never the hash. */
export const publicStaff = (s: Staff) => ({
  id: s.id,
  username: s.username,
  displayName: s.displayName,
  roles: s.roles,
  status: s.status,
  mustChangePassword: s.mustChangePassword,
  lastLoginAt: s.lastLoginAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});

/** A password for someone else to type once and replace: 16 characters, letters and digits. */
export function temporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  for (;;) {
    const pw = Array.from({ length: 16 }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
    if (/[A-Za-z]/.test(pw) && /\d/.test(pw)) return pw;
  }
}

export interface NewStaff {
  username: string;
  displayName: string;
  roles: StaffRole[];
  password: string;
  mustChangePassword: boolean;
}

export async function createStaff(db: Db, hasher: PasswordHasher, audit: AuditContext, input: NewStaff): Promise<Staff> {
  assertStrongPassword(input.password, STAFF_PASSWORD_MIN);
  const passwordHash = await hasher.hash(input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(staff)
      .values({
        username: input.username.toLowerCase(),
        displayName: input.displayName,
        roles: [...new Set(input.roles)],
        passwordHash,
        mustChangePassword: input.mustChangePassword,
      })
      .onConflictDoNothing({ target: staff.username })
      .returning();
    if (!row) throw new AppError('USERNAME_TAKEN', `Username "${input.username}" is already taken`);
    await recordAudit(tx, audit, { action: 'staff.created', targetType: 'staff', targetId: row.id, after: publicStaff(row) });
    return row;
  });
}

export async function hasActiveOwner(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: staff.id }).from(staff).where(and(eq(staff.status, 'active'), sql`'owner' = any(${staff.roles})`)).limit(1);
  return row !== undefined;
}

export async function listStaff(db: Db): Promise<Staff[]> {
  return db.select().from(staff).orderBy(asc(staff.id));
}

export async function getStaff(db: Db, id: number): Promise<Staff> {
  const [s] = await db.select().from(staff).where(eq(staff.id, id));
  if (!s) throw notFound('Staff account');
  return s;
}

/**
 * Changes roles, name or status. The owners' rows are locked first, so two
 * concurrent demotions cannot both pass the "someone remains owner" check.
 */
export async function updateStaff(
  db: Db,
  audit: AuditContext,
  id: number,
  patch: { displayName?: string | undefined; roles?: StaffRole[] | undefined; status?: 'active' | 'disabled' | undefined },
): Promise<Staff> {
  return db.transaction(async (tx) => {
    const owners = await tx
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.status, 'active'), sql`'owner' = any(${staff.roles})`))
      .orderBy(asc(staff.id))
      .for('update');
    const [before] = await tx.select().from(staff).where(eq(staff.id, id)).for('update');
    if (!before) throw notFound('Staff account');
    const roles = patch.roles ? [...new Set(patch.roles)] : before.roles;
    const status = patch.status ?? before.status;
    const staysOwner = status === 'active' && roles.includes('owner');
    if (!staysOwner && owners.length === 1 && owners[0]!.id === id) {
      throw new AppError('LAST_OWNER', 'At least one active owner must remain');
    }
    const [after] = await tx
      .update(staff)
      .set({ displayName: patch.displayName ?? before.displayName, roles, status, updatedAt: sql`now()` })
      .where(eq(staff.id, id))
      .returning();
    if (status === 'disabled' && before.status !== 'disabled') await revokeAllSessions(tx, 'staff', id, 'disabled');
    await recordAudit(tx, audit, { action: 'staff.updated', targetType: 'staff', targetId: id, before: publicStaff(before), after: publicStaff(after!) });
    return after!;
  });
}

/** Issues a temporary password (shown once) and ends the account's sessions. */
export async function resetStaffPassword(db: Db, hasher: PasswordHasher, audit: AuditContext, id: number): Promise<string> {
  const password = temporaryPassword();
  const hash = await hasher.hash(password);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(staff)
      .set({ passwordHash: hash, mustChangePassword: true, failedLoginCount: 0, lockedUntil: null, updatedAt: sql`now()` })
      .where(eq(staff.id, id))
      .returning({ id: staff.id });
    if (!row) throw notFound('Staff account');
    await revokeAllSessions(tx, 'staff', id, 'password_reset');
    await recordAudit(tx, audit, { action: 'staff.password_reset', targetType: 'staff', targetId: id });
  });
  return password;
}

/**
 * Creates the first owner from configuration, once: when an active owner
 * already exists this does nothing, so the variables can stay set.
 */
export async function bootstrapOwner(
  db: Db,
  hasher: PasswordHasher,
  username: string | undefined,
  password: string | undefined,
): Promise<'created' | 'exists' | 'not-configured'> {
  if (await hasActiveOwner(db)) return 'exists';
  if (!username || !password) return 'not-configured';
  await createStaff(db, hasher, { actorKind: 'system', actorId: null, ip: null, requestId: 'bootstrap' }, {
    username,
    displayName: 'Owner',
    roles: ['owner'],
    password,
    mustChangePassword: true,
  });
  return 'created';
}
