import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { readLadder } from '../levels/ladder.service.js';
import { smallestPurchase } from '../levels/ladder.js';
import { levelSettingsDef } from '../levels/level-settings.js';
import { entryFeeOf } from '../onboarding/onboarding.service.js';
import { guardConfiguration, readSettings } from '../settings/settings.service.js';
import { ceilingProblem, decodeRuleSet, encodeRuleSet, type Problem, rankProblems, type RuleSet, type RuleSetBody, validateRuleSet, type ValidationContext, worstCases } from './rule-set.js';

/**
 * Rule-set versions: the one draft operators edit, publishing (audited), and
 * the versions payouts refer to. A published version never changes, so a
 * version is cached once read.
 */
const RULES_LOCK = 7_001_007;

interface Row {
  version: number;
  state: 'draft' | 'published' | 'retired';
  body: unknown;
  based_on: number | null;
  note: string | null;
  updated_at: string | Date;
  published_at: string | Date | null;
}

/** A row read for people (lists, the draft, save and publish answers): with who created and who published it. */
interface ActorRow extends Row {
  created_by: number | string | null;
  created_by_name: string | null;
  published_by: number | string | null;
  published_by_name: string | null;
}

/** A staff member who acted on a version; null when the system did (the first version is installed by a migration). */
export interface RuleSetActor {
  id: number;
  displayName: string;
}

export interface StoredRuleSet {
  version: number;
  state: Row['state'];
  body: RuleSetBody;
  basedOn: number | null;
  note: string | null;
  updatedAt: Date;
  publishedAt: Date | null;
  createdBy: RuleSetActor | null;
  publishedBy: RuleSetActor | null;
}

/** An id with no staff row left (the column has no foreign key) still names someone: by its number. */
const actor = (id: number | string | null, name: string | null): RuleSetActor | null => (id === null ? null : { id: Number(id), displayName: name ?? `#${id}` });

/** created_by / published_by hold staff ids: an actor of another kind is stored as nobody rather than as a wrong staff id. */
const staffActor = (audit: AuditContext) => (audit.actorKind === 'staff' ? audit.actorId : null);

const toStored = (r: ActorRow): StoredRuleSet => ({
  version: r.version,
  state: r.state,
  body: decodeRuleSet(r.body),
  basedOn: r.based_on,
  note: r.note,
  updatedAt: new Date(r.updated_at),
  publishedAt: r.published_at ? new Date(r.published_at) : null,
  createdBy: actor(r.created_by, r.created_by_name),
  publishedBy: actor(r.published_by, r.published_by_name),
});

const columns = sql`version, state, body, based_on, note, updated_at, published_at`;
/**
 * The same plus the actors. The table stores their staff ids (created_by on
 * save, published_by on publish); the names come from staff by primary key.
 * Scalar subqueries rather than joins, so the list also works in RETURNING.
 * The engine's reads (activeRuleSet, ruleSetAt) do not need them.
 */
const actorColumns = sql`${columns}, created_by, published_by,
  (select s.display_name from staff s where s.id = reward_rule_sets.created_by) as created_by_name,
  (select s.display_name from staff s where s.id = reward_rule_sets.published_by) as published_by_name`;
const versionCache = new Map<number, RuleSet>();

export async function activeRuleSet(db: Db): Promise<RuleSet> {
  const [row] = await queryRows<Row>(db, sql`select ${columns} from reward_rule_sets where state = 'published'`);
  if (!row) throw new AppError('INTERNAL', 'No reward rule set is published');
  const cached = versionCache.get(row.version);
  if (cached) return cached;
  const set = { ...decodeRuleSet(row.body), version: row.version };
  versionCache.set(row.version, set);
  return set;
}

/** A version that ran (published or retired); drafts are not cached, they change. */
export async function ruleSetAt(db: Db, version: number): Promise<RuleSet> {
  const cached = versionCache.get(version);
  if (cached) return cached;
  const [row] = await queryRows<Row>(db, sql`select ${columns} from reward_rule_sets where version = ${version}`);
  if (!row) throw new AppError('NOT_FOUND', `Rule set version ${version} does not exist`);
  const set = { ...decodeRuleSet(row.body), version: row.version };
  if (row.state !== 'draft') versionCache.set(version, set);
  return set;
}

export async function readDraft(db: Db): Promise<StoredRuleSet | null> {
  const [row] = await queryRows<ActorRow>(db, sql`select ${actorColumns} from reward_rule_sets where state = 'draft'`);
  return row ? toStored(row) : null;
}

export async function listVersions(db: Db, limit: number, before?: number): Promise<StoredRuleSet[]> {
  const rows = await queryRows<ActorRow>(db, sql`
    select ${actorColumns} from reward_rule_sets ${before !== undefined ? sql`where version < ${before}` : sql``}
    order by version desc limit ${limit}`);
  return rows.map(toStored);
}

/** What a save is checked against: today's ladder, entry fee and cheapest level purchase. */
export async function validationContext(db: Db): Promise<ValidationContext> {
  const [ladder, entryFee, levelSettings] = [await readLadder(db), await entryFeeOf(db), await readSettings(db, levelSettingsDef)];
  return {
    ranks: ladder.levels.map((l) => ({ rank: l.rank, ratePpm: l.rateProfitSharePpm, enabled: l.enabled })),
    // Paying the difference, a member holding a disabled level just below one for sale pays the least: every pair counts.
    minBaseFen: { onboarding_fee_paid: entryFee, level_purchased: smallestPurchase(ladder, levelSettings.value.upgradeByDifference) },
  };
}

/** Problems as a refusal's details: `{field, message}`, as every 400 names its fields. */
const asDetails = (problems: Problem[]) => problems.map((p) => ({ field: p.path, message: p.message }));

/**
 * A change of levels or settings (a higher profit-share rate, a cheaper
 * level or entry fee) can raise the published rules' worst case past their
 * ceilings, which a save of the rules themselves would have refused: such a
 * change is refused too, with the worst case, unless the rules exceeded
 * that ceiling already and the change does not make it worse (the run-time
 * cut still holds every event to its ceiling). Likewise a ladder change that
 * leaves a published rule naming a rank no level has (a level removed or
 * re-ranked): that rule would silently stop paying.
 */
guardConfiguration(async (tx) => {
  const [published] = await queryRows<{ version: number }>(tx, sql`select version from reward_rule_sets where state = 'published'`);
  if (!published) return async () => {};
  const set = await activeRuleSet(tx);
  const check = async () => {
    const ctx = await validationContext(tx);
    return { exceeding: new Map(worstCases(set, ctx).filter((w) => ceilingProblem(w) !== null).map((w) => [w.trigger, w])), ranks: rankProblems(set, ctx) };
  };
  const before = await check();
  return async () => {
    const after = await check();
    const worse = [...after.exceeding.values()].filter((w) => {
      const was = before.exceeding.get(w.trigger);
      return !was || (was.ppm !== null && (w.ppm === null || w.ppm > was.ppm));
    });
    const brokenRanks = after.ranks.filter((p) => !before.ranks.some((b) => b.path === p.path && b.message === p.message));
    // Both kinds at once, so one refusal names everything the change would break.
    const reasons = [
      ...(worse.length > 0 ? [`超过单笔封顶：${worse.map((w) => ceilingProblem(w)!.message).join('；')}`] : []),
      ...(brokenRanks.length > 0 ? [`引用不存在的等级：${brokenRanks.map((p) => p.message).join('；')}`] : []),
    ];
    if (reasons.length === 0) return;
    const problems = asDetails([...worse.map((w) => ceilingProblem(w)!), ...brokenRanks]);
    throw new AppError('VALIDATION_FAILED', `此修改会让当前生效的奖励规则（v${set.version}）${reasons.join('，并')}。请先修改奖励规则，再保存此项修改`, { problems, worstCase: worse });
  };
});

async function refuseProblems(db: Db, body: RuleSetBody) {
  const { problems, worst } = validateRuleSet(body, await validationContext(db));
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', problems.map((p) => p.message).join('；'), { problems: asDetails(problems), worstCase: worst });
  }
  return worst;
}

/**
 * Creates or replaces the draft (under a new version number). `basedOn` is the
 * version the editor started from: if someone published since, the editor is
 * working on a stale copy (409).
 */
export async function saveDraft(db: Db, audit: AuditContext, body: RuleSetBody, input: { basedOn: number; note?: string | null | undefined }): Promise<StoredRuleSet> {
  await refuseProblems(db, body);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK})`);
    const [active] = await queryRows<{ version: number }>(tx, sql`select version from reward_rule_sets where state = 'published'`);
    if (active && active.version !== input.basedOn) {
      throw new AppError('CONFLICT', `规则已由他人发布为 v${active.version}，请基于最新版本重新编辑`, { currentVersion: active.version });
    }
    const encoded = JSON.stringify(encodeRuleSet(body));
    const [before] = await queryRows<Row>(tx, sql`select ${columns} from reward_rule_sets where state = 'draft' for update`);
    // Every save is a new version number: publishing names the version it means, so a colleague's later
    // edit (after someone simulated and reviewed the draft) cannot be published unseen.
    if (before) await tx.execute(sql`delete from reward_rule_sets where version = ${before.version} and state = 'draft'`);
    const [row] = await queryRows<ActorRow>(tx, sql`
      insert into reward_rule_sets (state, body, based_on, note, created_by) values ('draft', ${encoded}::jsonb, ${input.basedOn}, ${input.note ?? null}, ${staffActor(audit)})
      returning ${actorColumns}`);
    await recordAudit(tx, audit, { action: 'rewards.draft_saved', targetType: 'reward_rule_set', targetId: row!.version, before: before?.body ?? null, after: row!.body });
    return toStored(row!);
  });
}

export async function discardDraft(db: Db, audit: AuditContext): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await queryRows<Row>(tx, sql`delete from reward_rule_sets where state = 'draft' returning ${columns}`);
    if (!row) throw new AppError('NOT_FOUND', '没有草稿');
    await recordAudit(tx, audit, { action: 'rewards.draft_discarded', targetType: 'reward_rule_set', targetId: row.version, before: row.body });
  });
}

/** Makes the draft the active version (checked again against today's ladder and fees); the previous one is retired. */
export async function publishDraft(db: Db, audit: AuditContext, expectedDraftVersion: number): Promise<StoredRuleSet> {
  const draft = await readDraft(db);
  if (!draft || draft.version !== expectedDraftVersion) throw new AppError('CONFLICT', '草稿已变化，请刷新后再发布', { draftVersion: draft?.version ?? null });
  await refuseProblems(db, draft.body);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK})`);
    const [previous] = await queryRows<Row>(tx, sql`update reward_rule_sets set state = 'retired' where state = 'published' returning ${columns}`);
    const [row] = await queryRows<ActorRow>(tx, sql`
      update reward_rule_sets set state = 'published', published_by = ${staffActor(audit)}, published_at = now()
      where version = ${expectedDraftVersion} and state = 'draft' returning ${actorColumns}`);
    if (!row) throw new AppError('CONFLICT', '草稿已变化，请刷新后再发布');
    await recordAudit(tx, audit, {
      action: 'rewards.published',
      targetType: 'reward_rule_set',
      targetId: row.version,
      before: previous ? { version: previous.version, body: previous.body } : null,
      after: { version: row.version, body: row.body },
    });
    return toStored(row);
  });
}
