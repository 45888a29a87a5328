import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * A member (商户/推广员) account. Later modules (referrals, onboarding, levels)
 * refer to it by id and keep their own tables; this one holds identity and
 * login state only.
 */
export const members = pgTable(
  'members',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    phone: text('phone').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    /** Account status; onboarding keeps its own state machine (SPEC §3). */
    status: text('status', { enum: ['active', 'suspended', 'closed'] }).notNull().default('active'),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** Anti-abuse signals recorded at registration (SPEC §2). */
    registrationIp: text('registration_ip'),
    registrationUserAgent: text('registration_user_agent'),
    registrationDeviceId: text('registration_device_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('members_phone_key').on(t.phone),
    index('members_registration_ip_idx').on(t.registrationIp, t.createdAt),
    index('members_registration_device_idx').on(t.registrationDeviceId, t.createdAt),
    check('members_status_check', sql`${t.status} in ('active', 'suspended', 'closed')`),
  ],
);

export type Member = typeof members.$inferSelect;
