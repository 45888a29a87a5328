import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intArrayLiteral, queryRows, textArrayLiteral } from '../src/db/client.js';
import { createTestDatabase, onPostgres, type TestDatabase } from './helpers/database.js';

describe.skipIf(!onPostgres)('PostgreSQL connections (the pool the server uses)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.dispose());

  it('run with JIT compilation off, on every pooled connection', async () => {
    // Several at once, so the pool opens several connections; each answers from its own session.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => database.db.transaction(async (tx) => (await queryRows<{ jit: string; pid: number }>(tx, sql`select current_setting('jit') as jit, pg_backend_pid() as pid, pg_sleep(0.05)`))[0]!)),
    );
    expect(new Set(answers.map((a) => a.pid)).size).toBe(4);
    expect(answers.map((a) => a.jit)).toEqual(['off', 'off', 'off', 'off']);
  });
});

describe('array literals (hot batch statements pass columns as one text parameter)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.dispose());

  it('arrive as the same values, whatever the text holds', async () => {
    const texts = ['plain', '', 'NULL', null, 'a,b', ' spaced ', '{braces}', 'quote " here', 'back\\slash', '\\"both\\"', '交易结算 ¥20.45 · 直推', 'line\nbreak', '{"kind":"ceiling","fen":"12"}'];
    const ints = [0, -1, 9007199254740993n, null, '42'];
    const [row] = await queryRows<{ texts: (string | null)[]; ints: (string | null)[]; plain: string[]; json: unknown[] }>(
      database.db,
      sql`select ${textArrayLiteral(texts)}::text[] as texts, ${intArrayLiteral(ints)}::bigint[]::text[] as ints,
        ${intArrayLiteral([7, -9007199254740993n, '12', 0])}::bigint[]::text[] as plain,
        ${textArrayLiteral(['{"kind":"ceiling","fen":"12"}', null])}::jsonb[] as json`,
    );
    // Without NULLs the numbers are joined as they are.
    expect(row!.plain).toEqual(['7', '-9007199254740993', '12', '0']);
    expect(row!.texts).toEqual(texts);
    expect(row!.ints).toEqual(['0', '-1', '9007199254740993', null, '42']);
    expect(row!.json).toEqual([{ kind: 'ceiling', fen: '12' }, null]);
  });
});
