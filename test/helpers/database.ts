import crypto from 'node:crypto';
import pg from 'pg';
import { connectPostgres, type Database, openPglite } from '../../src/db/client.js';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const onPostgres = testDatabaseUrl !== undefined;

export interface TestDatabase extends Database {
  /** Drops the scratch database (PostgreSQL) or frees the in-memory one (PGlite). */
  dispose(): Promise<void>;
  url?: string;
}

/**
 * A fresh, migrated database per test file: in-memory PGlite by default, a
 * scratch database on the server named by TEST_DATABASE_URL when it is set.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const database = await openPglite();
    await database.migrate();
    return { ...database, dispose: () => database.close() };
  }
  const name = `sl_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const database = connectPostgres(url.toString(), 20);
  await database.migrate();
  return {
    ...database,
    url: url.toString(),
    async dispose() {
      await database.close().catch(() => {});
      const cleanup = new pg.Client({ connectionString: testDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
