// Every module's tables, gathered for drizzle-kit and for the typed query API.
export * from '../modules/members/members.schema.js';
export * from '../modules/staff/staff.schema.js';
export * from '../modules/auth/auth.schema.js';
export * from '../modules/audit/audit.schema.js';
export * from '../modules/ledger/ledger.schema.js';
export * from '../modules/settings/settings.schema.js';
export * from '../modules/withdrawals/withdrawals.schema.js';
export * from '../modules/outbox/outbox.schema.js';
export * from '../modules/channels/channels.schema.js';
export * from '../modules/payments/payments.schema.js';
export * from '../modules/reconciliation/reconciliation.schema.js';
export * from '../modules/referrals/referrals.schema.js';
export * from '../modules/onboarding/onboarding.schema.js';
export * from '../modules/performance/performance.schema.js';
export * from '../modules/levels/levels.schema.js';
export * from '../modules/rewards/rewards.schema.js';
export * from '../modules/dividends/dividends.schema.js';
