import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

/** SPEC §3: draft → submitted → approved | rejected; approved → fee_pending → active; rejected → submitted. */
export const applicationStates = ['draft', 'submitted', 'approved', 'rejected', 'fee_pending', 'active'] as const;
export type ApplicationState = (typeof applicationStates)[number];

export const fileKinds = ['licence', 'id_front', 'id_back', 'storefront'] as const;
export type FileKind = (typeof fileKinds)[number];

/** A risk signal found on submit, with what a reviewer needs to judge it. */
export interface RiskFlag {
  code: 'duplicate_licence' | 'duplicate_id_number' | 'blacklist' | 'registration_burst_ip' | 'registration_burst_device';
  message: string;
  evidence: Record<string, unknown>;
}

/**
 * One onboarding application (进件) per member, holding the current data.
 * Sensitive fields are stored only encrypted (`*_enc`); `id_number_digest`
 * is a keyed hash that finds duplicates without decrypting anything, and
 * `bank_account_tail` lets everybody see the masked form without the key.
 */
export const onboardingApplications = pgTable(
  'onboarding_applications',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey().references(() => members.id),
    state: text('state').$type<ApplicationState>().notNull().default('draft'),
    businessName: text('business_name'),
    licenceNo: text('licence_no'),
    legalName: text('legal_name'),
    idNumberEnc: text('id_number_enc'),
    idNumberDigest: text('id_number_digest'),
    idNumberTail: text('id_number_tail'),
    contactPhone: text('contact_phone'),
    address: text('address'),
    category: text('category'),
    bankAccountName: text('bank_account_name'),
    bankName: text('bank_name'),
    bankAccountEnc: text('bank_account_enc'),
    bankAccountTail: text('bank_account_tail'),
    /** File ids by kind (licence, id_front, id_back, storefront). */
    files: jsonb('files').$type<Partial<Record<FileKind, number>>>().notNull().default({}),
    riskFlags: jsonb('risk_flags').$type<RiskFlag[]>().notNull().default([]),
    /** Counts submissions; each one is kept in onboarding_revisions. */
    revision: integer('revision').notNull().default(0),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    submitIp: text('submit_ip'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewedBy: bigint('reviewed_by', { mode: 'number' }),
    reviewReason: text('review_reason'),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('onboarding_applications_state_idx').on(t.state, t.submittedAt),
    index('onboarding_applications_licence_idx').on(t.licenceNo),
    index('onboarding_applications_id_digest_idx').on(t.idNumberDigest),
    check('onboarding_applications_state_check', sql`${t.state} in ('draft', 'submitted', 'approved', 'rejected', 'fee_pending', 'active')`),
  ],
);

/** Every submission as it was sent, with its risk flags and the decision on it: the history a resubmission keeps. */
export const onboardingRevisions = pgTable(
  'onboarding_revisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    revision: integer('revision').notNull(),
    /** The application's columns at submission (sensitive ones still encrypted). */
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    riskFlags: jsonb('risk_flags').$type<RiskFlag[]>().notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    decision: text('decision').$type<'approved' | 'rejected'>(),
    decidedBy: bigint('decided_by', { mode: 'number' }),
    decisionReason: text('decision_reason'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('onboarding_revisions_member_revision').on(t.memberId, t.revision)],
);

/** Every state change: from, to, who, why, when. */
export const onboardingEvents = pgTable(
  'onboarding_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'member', 'system'] }).notNull(),
    actorId: bigint('actor_id', { mode: 'number' }),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('onboarding_events_member_idx').on(t.memberId, t.id)],
);

/**
 * Uploaded images. The bytes live encrypted under UPLOAD_DIR (never under a
 * served directory); this row says whose they are and what they are.
 */
export const onboardingFiles = pgTable(
  'onboarding_files',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    kind: text('kind').$type<FileKind>().notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('onboarding_files_member_idx').on(t.memberId, t.id)],
);

export const blacklistKinds = ['phone', 'id_number', 'licence', 'ip'] as const;
export type BlacklistKind = (typeof blacklistKinds)[number];

/**
 * Staff-maintained blacklist. Values are matched by keyed digest so ID
 * numbers are never stored in clear; `display` is what staff see (masked
 * for ID numbers).
 */
export const riskBlacklist = pgTable(
  'risk_blacklist',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').$type<BlacklistKind>().notNull(),
    digest: text('digest').notNull(),
    display: text('display').notNull(),
    reason: text('reason').notNull(),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('risk_blacklist_kind_digest').on(t.kind, t.digest), check('risk_blacklist_kind_check', sql`${t.kind} in ('phone', 'id_number', 'licence', 'ip')`)],
);
