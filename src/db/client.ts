import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The query API shared by both drivers; a transaction handle has the same type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Applies pending migrations; safe to call from several processes at once on PostgreSQL. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Any lock id works as long as every instance uses the same one. */
const MIGRATION_LOCK_ID = 7_001_001;

export function connectPostgres(url: string, poolSize = 10, onError?: (err: Error) => void): Database {
  // JIT off: this is an OLTP workload of short set-based statements over arrays of ids. On tables that grew
  // since their last ANALYZE the planner's row estimates (and so its costs) run far above the truth, and
  // PostgreSQL then compiles the statement with LLVM first: measured here, about 100 ms of compilation for a
  // 10 ms read of 5,000 members' figures, on every performance batch. (A URL carrying its own `options`
  // replaces this setting.)
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (err) => onError?.(err));
  // Nor one checked out between two queries of a transaction (the pool only listens to idle ones): the
  // transaction's next query fails and rolls back as usual; without a listener the 'error' event would be fatal.
  pool.on('connect', (client) => client.on('error', (err) => onError?.(err)));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async migrate() {
      // Serialise concurrent start-ups: drizzle's migrator itself takes no lock.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Embedded PostgreSQL (WASM). `dir` undefined keeps everything in memory
 * (tests). PGlite allows a single process per data folder, so a lock file
 * turns a second process into a clear error instead of a corrupted database.
 */
export async function openPglite(dir?: string): Promise<Database> {
  let releaseLock = () => {};
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    releaseLock = acquireDirLock(path.join(dir, '.shanglian.lock'));
  }
  let client: PGlite;
  try {
    client = await PGlite.create(dir ?? 'memory://');
  } catch (err) {
    releaseLock();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
      releaseLock();
    },
  };
}

export class DatabaseInUseError extends Error {}

function acquireDirLock(lockPath: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DatabaseInUseError(
          `The embedded database in ${path.dirname(lockPath)} is in use by process ${holder}. ` +
            'Stop that process first, or run on PostgreSQL by setting DATABASE_URL.',
        );
      }
      // Left behind by a process that died: take it over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseInUseError(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens the database the configuration names: PostgreSQL when a URL is given, else PGlite under dataDir. */
export async function openDatabase(
  config: { DATABASE_URL?: string | undefined; DATABASE_POOL_SIZE: number; dataDir: string },
  onError?: (err: Error) => void,
): Promise<Database> {
  if (config.DATABASE_URL) return connectPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE, onError);
  return openPglite(path.join(config.dataDir, 'pglite'));
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const dialect = new PgDialect();

/**
 * queryRows as a named prepared statement on PostgreSQL: parsed and planned
 * once per connection instead of per call, which matters on hot paths. Only
 * for SQL whose text never changes (every value a parameter), run outside a
 * transaction; anywhere else (PGlite, a transaction handle) it is queryRows.
 */
export async function queryRowsPrepared<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client instanceof pg.Pool) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await client.query({ name, text, values: params as unknown[] })).rows as T[];
  }
  return queryRows<T>(db, query);
}

/**
 * PostgreSQL array literals, passed as one text parameter and cast in SQL
 * (`${intArrayLiteral(ids)}::bigint[]`). Hot batch statements send thousands
 * of values: building the literal here is far cheaper than the driver's
 * generic per-element encoder, and far smaller than a JSON document with a
 * key per value.
 */
export function intArrayLiteral(values: readonly (number | bigint | string | null)[]): string {
  // Array.join writes numbers and bigints itself; a loop only when NULLs need spelling out (join would leave them empty).
  if (!values.includes(null)) return `{${values.join(',')}}`;
  let out = '{';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + (values[i] === null ? 'NULL' : String(values[i]));
  return `${out}}`;
}

/** Text elements are always quoted (so "NULL", commas and spaces stay text); null is NULL. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  // One string grown in a loop: a quarter cheaper than map + join for the thousands of values a batch sends.
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null;
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else if (v.indexOf('"') === -1 && v.indexOf('\\') === -1) out += `"${v}"`;
    else out += `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
