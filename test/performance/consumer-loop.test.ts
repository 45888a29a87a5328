import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { startEventConsumers } from '../../src/jobs.js';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { bindMerchant, createChannel } from '../../src/modules/channels/channels.service.js';
import { ingestRecords } from '../../src/modules/channels/ingest.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { insertMembers } from '../helpers/members.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

/** A new member selling as `merchantRef` on a new push channel. */
async function memberOnChannel(channelId: string, merchantRef: string): Promise<number> {
  const db = database.db;
  const actor = systemAuditContext('test');
  const [m] = await insertMembers(db, 1);
  await createChannel(db, createFieldCipher(Buffer.alloc(32, 3)), actor, { id: channelId, kind: 'push', name: channelId, enabled: true, config: {}, secrets: { pushSecrets: ['0123456789abcdef0123'] } });
  await bindMerchant(db, actor, channelId, merchantRef, m!);
  return m!;
}

describe('the server’s event consumers', () => {
  it('apply pushed sales to performance within a few ticks, and stop cleanly', async () => {
    const db = database.db;
    const m = await memberOnChannel('loop', 'M');
    const stop = startEventConsumers(db, pino({ level: 'silent' }), 'Asia/Shanghai', 50);
    try {
      await ingestRecords(db, 'loop', [{ channel_txn_id: 'x1', merchant_ref: 'M', amount_fen: 4200, status: 'settled', occurred_at: new Date().toISOString() }]);
      let total = 0n;
      for (let i = 0; i < 100 && total === 0n; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const [row] = await queryRows<{ s: string | null }>(db, sql`select sum(personal_settled)::text as s from member_performance where member_id = ${m}`);
        total = BigInt(row?.s ?? 0);
      }
      expect(total).toBe(4200n);
    } finally {
      await stop();
    }
  });

  it('poll each on its own interval', async () => {
    const db = database.db;
    const m = await memberOnChannel('loop3', 'M3');
    await ingestRecords(db, 'loop3', [{ channel_txn_id: 'z1', merchant_ref: 'M3', amount_fen: 900, status: 'settled', occurred_at: new Date().toISOString() }]);
    const figures = async () => {
      const [row] = await queryRows<{ s: string | null; paid: string }>(db, sql`
        select (select sum(personal_settled)::text from member_performance where member_id = ${m}) as s,
          (select count(*)::text from reward_events where member_id = ${m}) as paid`);
      return row!;
    };
    // Performance polls at once and often; rewards not within this test.
    const stop = startEventConsumers(db, pino({ level: 'silent' }), 'Asia/Shanghai', { performance: 50, rewards: 60_000 });
    try {
      let row = await figures();
      for (let i = 0; i < 100 && row.s === null; i++) {
        await new Promise((r) => setTimeout(r, 50));
        row = await figures();
      }
      expect(row).toEqual({ s: '900', paid: '0' });
    } finally {
      await stop();
    }
  });

  it('go on at once after a full batch and leave a partial one for the next tick, a batch per transaction', async () => {
    const db = database.db;
    const m = await memberOnChannel('loop2', 'M2');
    for (let i = 0; i < 7; i++) {
      await ingestRecords(db, 'loop2', [{ channel_txn_id: `y${i}`, merchant_ref: 'M2', amount_fen: 100 + i, status: 'settled', occurred_at: new Date().toISOString() }]);
    }
    const applied = async () =>
      queryRows<{ n: string; batches: string }>(db, sql`
        select count(*)::text as n, count(distinct xmin::text)::text as batches from reward_events where member_id = ${m}`);
    const stop = startEventConsumers(db, pino({ level: 'silent' }), 'Asia/Shanghai', 100, ['rewards'], { rewards: 3 });
    try {
      let row = (await applied())[0]!;
      for (let i = 0; i < 200 && row.n !== '7'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        row = (await applied())[0]!;
      }
      // 3 + 3 + 1: each round one transaction of at most the batch size, and all seven applied.
      expect(row).toEqual({ n: '7', batches: '3' });
    } finally {
      await stop();
    }
  });
});
