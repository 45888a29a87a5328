import type { Db } from '../../src/db/client.js';
import { type EntryInput, post } from '../../src/modules/ledger/ledger.service.js';

/** Journal fixtures for the ledger's read APIs: a reward to a member's available balance, and an onboarding fee received. */
export const rewardEntry = (key: string, member: number, amount: bigint, memo = `奖励 ${key}`): EntryInput => ({
  idempotencyKey: key,
  kind: 'reward',
  sourceType: 'test_event',
  sourceId: key,
  memo,
  postings: [
    { account: 'wallet:available', memberId: member, amount },
    { account: 'rewards:expense', amount: -amount },
  ],
});

export const paymentEntry = (key: string, amount: bigint, memo?: string): EntryInput => ({
  idempotencyKey: key,
  kind: 'payment',
  sourceType: 'payment_order',
  sourceId: key,
  memo,
  postings: [
    { account: 'channel:clearing', amount },
    { account: 'fees:onboarding', amount: -amount },
  ],
});

/** Posts each entry in its own transaction, in order, and records its id under its key. */
export async function postEntries(db: Db, entries: EntryInput[], ids: Map<string, number>): Promise<void> {
  for (const e of entries) ids.set(e.idempotencyKey, (await db.transaction((tx) => post(tx, e))).entryId);
}
