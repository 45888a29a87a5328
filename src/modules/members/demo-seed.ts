import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assertStrongPassword, MEMBER_PASSWORD_MIN, type PasswordHasher } from '../auth/passwords.js';
import { temporaryPassword } from '../staff/staff.service.js';
import { members } from './members.schema.js';

/** A handful of members for demos; later modules add their network, levels and payments. */
export const demoMembers = [
  { phone: '13800000001', displayName: '张记茶庄' },
  { phone: '13800000002', displayName: '李家面馆' },
  { phone: '13800000003', displayName: '王氏水果' },
  { phone: '13800000004', displayName: '赵记五金' },
  { phone: '13800000005', displayName: '陈家烘焙' },
  { phone: '13800000006', displayName: '刘氏便利店' },
];

export async function seedDemo(db: Db, hasher: PasswordHasher, options: { password?: string | undefined }) {
  const password = options.password ?? temporaryPassword();
  assertStrongPassword(password, MEMBER_PASSWORD_MIN);
  const phones = demoMembers.map((m) => m.phone);
  const existing = new Set((await db.select({ phone: members.phone }).from(members).where(inArray(members.phone, phones))).map((r) => r.phone));
  const missing = demoMembers.filter((m) => !existing.has(m.phone));
  if (missing.length > 0) {
    const passwordHash = await hasher.hash(password);
    await db
      .insert(members)
      .values(missing.map((m) => ({ ...m, passwordHash, registrationIp: 'seed-demo' })))
      .onConflictDoNothing({ target: members.phone });
  }
  return { created: missing.length, existing: existing.size, phones, password: missing.length > 0 ? password : null };
}
