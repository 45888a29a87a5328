import { sql } from 'drizzle-orm';
import { bigint, boolean, check, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const staffRoles = ['owner', 'risk', 'finance', 'ops', 'viewer'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Operator staff (后台). A person may hold several roles (small teams often do). */
export const staff = pgTable(
  'staff',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: text('roles').array().notNull().$type<StaffRole[]>(),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    /** Set for passwords someone else chose (initial or reset): the holder must pick their own. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('staff_username_key').on(t.username),
    check('staff_status_check', sql`${t.status} in ('active', 'disabled')`),
    check('staff_roles_check', sql`cardinality(${t.roles}) > 0 and ${t.roles} <@ array['owner','risk','finance','ops','viewer']::text[]`),
  ],
);

export type Staff = typeof staff.$inferSelect;
