import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { conflict, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { decodeTiers, encodeTier, type Tier, type TierJson } from './tiers.js';

/** Dividend tiers are versioned: every save is a new version, audited with what it replaced. */

export interface TierVersion {
  version: number;
  tiers: Tier[];
  note: string | null;
  savedAt: Date;
}

export async function tiersAtVersion(db: Db, version: number): Promise<Tier[]> {
  const [row] = await queryRows<{ tiers: unknown }>(db, sql`select tiers from dividend_tier_versions where version = ${version}`);
  if (!row) throw notFound(`Dividend tiers version ${version}`);
  return decodeTiers(row.tiers);
}

/** One saved version, whole (what an audit of an old run needs). */
export async function tierVersion(db: Db, version: number): Promise<TierVersion> {
  const [row] = await queryRows<{ version: number; tiers: unknown; note: string | null; saved_at: string | Date }>(db, sql`
    select version, tiers, note, saved_at from dividend_tier_versions where version = ${version}`);
  if (!row) throw notFound(`Dividend tiers version ${version}`);
  return { version: Number(row.version), tiers: decodeTiers(row.tiers), note: row.note, savedAt: new Date(row.saved_at) };
}

export async function currentTiers(db: Db): Promise<TierVersion> {
  const [row] = await queryRows<{ version: number; tiers: unknown; note: string | null; saved_at: string | Date }>(db, sql`
    select version, tiers, note, saved_at from dividend_tier_versions order by version desc limit 1`);
  if (!row) return { version: 0, tiers: [], note: null, savedAt: new Date(0) };
  return { version: Number(row.version), tiers: decodeTiers(row.tiers), note: row.note, savedAt: new Date(row.saved_at) };
}

export async function tierVersions(db: Db, limit = 50): Promise<{ version: number; note: string | null; savedAt: Date; tiers: number }[]> {
  const rows = await queryRows<{ version: number; note: string | null; saved_at: string | Date; n: number }>(db, sql`
    select version, note, saved_at, jsonb_array_length(tiers) as n from dividend_tier_versions order by version desc limit ${limit}`);
  return rows.map((r) => ({ version: Number(r.version), note: r.note, savedAt: new Date(r.saved_at), tiers: Number(r.n) }));
}

/** Saves the tiers as a new version; `basedOn` must be the latest version (else 409: someone saved in between). */
export async function saveTiers(db: Db, actor: AuditContext, input: { tiers: Tier[]; basedOn: number; note?: string | null | undefined }): Promise<TierVersion> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7001008, 1)`);
    const current = await currentTiers(tx);
    if (current.version !== input.basedOn) throw conflict(`The tiers were changed by someone else (now version ${current.version}); reload and try again`, { currentVersion: current.version });
    const encoded: TierJson[] = input.tiers.map(encodeTier);
    const [row] = await queryRows<{ version: number; saved_at: string | Date }>(tx, sql`
      insert into dividend_tier_versions (tiers, note, saved_by_kind, saved_by)
      values (${JSON.stringify(encoded)}::jsonb, ${input.note ?? null}, ${actor.actorKind}, ${actor.actorId})
      returning version, saved_at`);
    await recordAudit(tx, actor, {
      action: 'dividends.tiers_saved',
      targetType: 'dividend_tiers',
      targetId: row!.version,
      before: { version: current.version, tiers: current.tiers.map(encodeTier) },
      after: { version: row!.version, tiers: encoded },
      reason: input.note ?? null,
    });
    return { version: Number(row!.version), tiers: input.tiers, note: input.note ?? null, savedAt: new Date(row!.saved_at) };
  });
}
