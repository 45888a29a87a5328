import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
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
