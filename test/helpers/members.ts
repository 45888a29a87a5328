import type { Db } from '../../src/db/client.js';
import { members } from '../../src/modules/members/members.schema.js';

let seq = 0;
/** Inserts bare member rows for tests that exercise services directly. */
export async function insertMembers(db: Db, count: number): Promise<number[]> {
  const rows = await db
    .insert(members)
    .values(Array.from({ length: count }, () => {
      seq++;
      const phone = `15${String(process.pid % 1000).padStart(3, '0')}${String(seq).padStart(6, '0')}`;
      return { phone, passwordHash: 'x', displayName: `测试${seq}` };
    }))
    .returning({ id: members.id });
  return rows.map((r) => r.id);
}
