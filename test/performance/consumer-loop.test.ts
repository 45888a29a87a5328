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

describe('the server’s event consumers', () => {
  it('apply pushed sales to performance within a few ticks, and stop cleanly', async () => {
    const db = database.db;
    const actor = systemAuditContext('test');
    const [m] = await insertMembers(db, 1);
    await createChannel(db, createFieldCipher(Buffer.alloc(32, 3)), actor, { id: 'loop', kind: 'push', name: 'loop', enabled: true, config: {}, secrets: { pushSecrets: ['0123456789abcdef0123'] } });
    await bindMerchant(db, actor, 'loop', 'M', m!);
    const stop = startEventConsumers(db, pino({ level: 'silent' }), 'Asia/Shanghai', 50);
    try {
      await ingestRecords(db, 'loop', [{ channel_txn_id: 'x1', merchant_ref: 'M', amount_fen: 4200, status: 'settled', occurred_at: new Date().toISOString() }]);
      let total = 0n;
      for (let i = 0; i < 100 && total === 0n; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const [row] = await queryRows<{ s: string | null }>(db, sql`select sum(personal_settled)::text as s from member_performance where member_id = ${m!}`);
        total = BigInt(row?.s ?? 0);
      }
      expect(total).toBe(4200n);
    } finally {
      await stop();
    }
  });
});
