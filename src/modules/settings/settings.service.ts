import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { settings } from './settings.schema.js';

/** A settings group: its key, the schema of its stored JSON, and the defaults used until someone saves it. */
export interface SettingsDefinition<T> {
  key: string;
  schema: z.ZodType<T, unknown>;
  defaults: () => T;
  /** Cross-field checks the schema cannot express; return problems, empty when fine. */
  check?: (value: T) => string[];
}

export interface Versioned<T> {
  value: T;
  version: number;
  updatedAt: Date | null;
}

export async function readSettings<T>(db: Db, def: SettingsDefinition<T>): Promise<Versioned<T>> {
  const [row] = await db.select().from(settings).where(eq(settings.key, def.key));
  if (!row) return { value: def.defaults(), version: 0, updatedAt: null };
  return { value: def.schema.parse(row.value), version: row.version, updatedAt: row.updatedAt };
}

/**
 * A check of the platform's configuration as a whole, run in the
 * transaction of every change to it (settings, the level ladder): called
 * before the change, it returns what to check after it, and refuses the
 * change by throwing. Registered by the modules whose own configuration
 * depends on the others' (the published reward rules must keep fitting
 * their ceilings when level rates or prices change), so this module need
 * not know them.
 */
export type ConfigurationGuard = (tx: Db) => Promise<() => Promise<void>>;
const guards: ConfigurationGuard[] = [];
export function guardConfiguration(guard: ConfigurationGuard) {
  guards.push(guard);
}

/** Wraps one configuration change in the registered guards (inside the change's transaction). */
export async function guardedChange<T>(tx: Db, change: () => Promise<T>): Promise<T> {
  const checks: (() => Promise<void>)[] = [];
  for (const guard of guards) checks.push(await guard(tx));
  const result = await change();
  for (const check of checks) await check();
  return result;
}

/**
 * Saves a new version. `expectedVersion` guards against two operators
 * overwriting each other: a stale version gets 409 and nothing is written.
 */
export async function writeSettings<T>(
  db: Db,
  audit: AuditContext,
  def: SettingsDefinition<T>,
  value: T,
  expectedVersion: number,
  encode: (value: T) => unknown,
): Promise<Versioned<T>> {
  const problems = def.check?.(value) ?? [];
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'The settings are not consistent', problems.map((message) => ({ field: 'body', message })));
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(settings).where(eq(settings.key, def.key)).for('update');
    const version = current?.version ?? 0;
    if (version !== expectedVersion) {
      throw new AppError('CONFLICT', `These settings were changed by someone else (now version ${version}); reload and try again`, { currentVersion: version });
    }
    const stored = encode(value);
    const [row] = await guardedChange(tx, () =>
      tx
        .insert(settings)
        .values({ key: def.key, value: stored, version: version + 1, updatedBy: audit.actorId })
        .onConflictDoUpdate({ target: settings.key, set: { value: stored, version: version + 1, updatedAt: sql`now()`, updatedBy: audit.actorId } })
        .returning(),
    );
    await recordAudit(tx, audit, {
      action: 'settings.updated',
      targetType: 'settings',
      targetId: def.key,
      before: current ? { version, value: current.value } : { version: 0, value: encode(def.defaults()) },
      after: { version: version + 1, value: stored },
    });
    return { value, version: row!.version, updatedAt: row!.updatedAt };
  });
}
