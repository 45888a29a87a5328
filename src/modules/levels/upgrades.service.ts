import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows } from '../../db/client.js';
import { systemAuditContext } from '../audit/audit.service.js';
import { monthOf, onPerformanceChanged, type PerformanceChange, shiftMonth } from '../performance/performance.service.js';
import type { LevelFacts } from './conditions.js';
import { onSubtreeMoved } from '../referrals/tree.service.js';
import { directsMayLift, figureWatch, hasPerformanceUpgrades, highestReachable, type Ladder, leastDirectsToRise, levelOf, mayRiseCountingAllDirects, NEVER_DIRECTS, teamDrivenLadder, upgradeRanks } from './ladder.js';
import { ladderAtVersion, readLadderForChange } from './ladder.service.js';
import { type AppliedChange, applyLevelChanges, type LevelChange, loadFacts, memberLevelRows, parentsOf } from './member-level.service.js';

/** Members evaluated per round trip: facts for this many are a few indexed reads. */
export const EVALUATION_CHUNK = 1000;
/** Members screened per statement (see upgradeCandidates): a key read each, nothing shipped for those dropped. */
const SCREEN_CHUNK = 10 * EVALUATION_CHUNK;

/**
 * The platform time zone for "this month" in the evaluations the
 * performance consumer and the tree trigger (their listeners carry no time
 * zone). Set from the configuration when the app is built.
 */
let platformTimeZone = 'Asia/Shanghai';
export function setLevelsTimeZone(timeZone: string) {
  platformTimeZone = timeZone;
}
export const currentMonth = (timeZone = platformTimeZone) => monthOf(new Date(), timeZone);

/**
 * Raises each member to the highest level its facts reach (several levels at
 * once if they hold; never down). Set-based: the ladder is read once, facts
 * are loaded for a chunk of members at a time, and all changes of a chunk
 * are one statement. When the ladder counts direct members by level, a
 * member's rise can lift its parent, so parents of the members that rose are
 * evaluated next, until nobody rises.
 */
export async function evaluateUpgrades(tx: Db, memberIds: number[], month: string, ladderIn?: Ladder): Promise<AppliedChange[]> {
  if (memberIds.length === 0) return [];
  const ladder = ladderIn ?? (await readLadderForChange(tx));
  if (!hasPerformanceUpgrades(ladder)) return [];
  const ranks = upgradeRanks(ladder);
  const topRank = Math.max(...ladder.levels.filter((l) => l.enabled && l.upgrade.conditions.length > 0).map((l) => l.rank));
  const all: AppliedChange[] = [];
  let pending = [...new Set(memberIds)];
  while (pending.length > 0) {
    const rose: AppliedChange[] = [];
    for (let i = 0; i < pending.length; i += EVALUATION_CHUNK) {
      rose.push(...(await upgradeChunk(tx, ladder, pending.slice(i, i + EVALUATION_CHUNK), month, ranks, topRank)));
    }
    all.push(...rose);
    pending = ranks.length > 0 ? await screenParents(tx, ladder, await parentsOf(tx, rose.map((c) => c.memberId)), month) : [];
  }
  return all;
}

/**
 * Of the parents of members that rose, those a level above could now
 * accept: only their direct members' levels changed, and the screen counts
 * every direct member at every rank, so it cannot miss one. Most parents
 * fail it on their own figures, and the screen reads a member in one key
 * read where the full evaluation takes five statements per round.
 */
async function screenParents(tx: Db, ladder: Ladder, parents: number[], month: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < parents.length; i += SCREEN_CHUNK) {
    out.push(...(await upgradeCandidates(tx, ladder, { personal: parents.slice(i, i + SCREEN_CHUNK), teamOnly: [] }, month)));
  }
  return out;
}

async function upgradeChunk(tx: Db, ladder: Ladder, memberIds: number[], month: string, ranks: number[], topRank: number) {
  const rows = await memberLevelRows(tx, memberIds);
  // Members already at or above every level reachable by performance need no facts.
  const candidates = memberIds.filter((id) => levelOf(ladder, rows.get(id)?.levelId).rank < topRank);
  if (candidates.length === 0) return [];
  const facts = await loadFacts(tx, ladder, candidates, month, ranks);
  const changes: LevelChange[] = [];
  for (const id of candidates) {
    const current = levelOf(ladder, rows.get(id)?.levelId);
    const reached = highestReachable(ladder, current, facts.get(id)!);
    if (reached) changes.push({ memberId: id, fromLevelId: current.id, toLevelId: reached.level.id, reason: `达成「${reached.level.name}」升级条件` });
  }
  return applyLevelChanges(tx, changes, { guard: 'raise', cause: 'performance', actor: systemAuditContext('level-upgrade') });
}

/** After a level change: the parent's direct members by level differ, so it may rise (and its parent…). */
export async function evaluateParentsOf(tx: Db, memberIds: number[], month = currentMonth()): Promise<AppliedChange[]> {
  const ladder = await readLadderForChange(tx);
  if (upgradeRanks(ladder).length === 0) return [];
  return evaluateUpgrades(tx, await parentsOf(tx, memberIds), month, ladder);
}

/**
 * Of the members whose figures a performance batch changed, those a level
 * above them could now accept. A sale changes the figures of every ancestor
 * (a thousand for a deep member), so the full evaluation — direct members
 * counted by level through their children's rows — is kept for the few that
 * pass this test: one read per member of its level, its direct count and
 * its performance rows (this month, last month and lifetime, exactly). The
 * test can only overstate, never miss: direct members at a minimum level
 * are counted as all direct members, everything else is what the full
 * evaluation reads. Members whose own sales did not move (`teamOnly`, most
 * of a batch) are tested against the levels that read team figures only
 * (see teamDrivenLadder).
 */
export async function upgradeCandidates(tx: Db, ladder: Ladder, change: Pick<PerformanceChange, 'personal' | 'teamOnly'>, month: string): Promise<number[]> {
  const memberIds = [...change.personal, ...change.teamOnly];
  if (memberIds.length === 0 || !ladder.levels.some((l) => l.enabled && l.upgrade.conditions.length > 0)) return [];
  const teamLadder = teamDrivenLadder(ladder);

  // First by level and direct count alone, every performance condition taken as met (conditions are
  // minimums, so this too can only overstate): most ancestors have too few direct members for any level
  // above theirs. They are dropped inside the database, after one key read (the tree row, which carries
  // the level too), instead of being shipped here by the thousand: a member passes when its direct count
  // reaches the least one its level could rise with, on the ladder its change sees (a level not in the
  // ladder passes everyone). The tree read's LIMIT keeps it a key read per member: without it the planner
  // hashes the whole tree (a scan of every member, each batch) once the list is a few thousand long.
  // The least counts go as one array per ladder, indexed by level id (0: no level row), so the test is a
  // subscript per member: the lookup in a list of (level, ladder) rows took a quarter of this step.
  const thresholds = (l: Ladder) => {
    const least = leastDirectsToRise(l);
    const byId: (number | null)[] = Array.from({ length: 1 + Math.max(0, ...least.map((x) => x.levelId ?? 0)) }, () => null);
    for (const x of least) byId[x.levelId ?? 0] = x.directs ?? NEVER_DIRECTS;
    return `[0:${byId.length - 1}]=${intArrayLiteral(byId)}`;
  };
  const flag = (b: boolean) => (b ? 't' : 'f');
  const last = shiftMonth(month, -1);
  // Then, for those, the figures the ladder reads, in the same statement (no round trip of the shortlist):
  // per member a range read of its own rows by key (a join would let the planner hash the whole table).
  // One JSON row rather than a row per member: the driver decodes rows slowly, and a batch shortlists thousands.
  const [found] = await queryRows<{ r: [number, boolean, number | null, number | null, string | null, string | null, string | null, string | null, string | null, string | null][] | null }>(tx, sql`
    with shortlist as (
      select u.id, u.team_only, b.level_id, b.direct_count
      from unnest(${intArrayLiteral(memberIds)}::bigint[], ${`{${memberIds.map((_, i) => flag(i >= change.personal.length)).join(',')}}`}::bool[]) as u(id, team_only)
      left join lateral (select mt.level_id, mt.direct_count from member_tree mt where mt.member_id = u.id limit 1) b on true
      where coalesce(b.direct_count, 0) >= coalesce(
        case when u.team_only then (${thresholds(teamLadder)}::int[])[coalesce(b.level_id, 0)] else (${thresholds(ladder)}::int[])[coalesce(b.level_id, 0)] end, 0))
    select json_agg(json_build_array(s.id, s.team_only, s.level_id, s.direct_count, f.tp, f.tt, f.lp, f.lt, f.ap, f.at)) as r
    from shortlist s
    cross join lateral (
      select sum(p.personal_settled - p.personal_refunded) filter (where p.month = ${month}::date)::text as tp,
        sum(p.team_settled - p.team_refunded) filter (where p.month = ${month}::date)::text as tt,
        sum(p.personal_settled - p.personal_refunded) filter (where p.month = ${last}::date)::text as lp,
        sum(p.team_settled - p.team_refunded) filter (where p.month = ${last}::date)::text as lt,
        sum(p.personal_settled - p.personal_refunded)::text as ap, sum(p.team_settled - p.team_refunded)::text as at
      from member_performance p where p.member_id = s.id) f`);
  const fig = (personal: string | null, team: string | null, m: string) => {
    const p = BigInt(personal ?? 0);
    const t = BigInt(team ?? 0);
    return { month: m, personalSettled: 0n, personalRefunded: 0n, personalNet: p, personalSales: 0, teamNet: t, teamSettled: 0n, teamRefunded: 0n, teamActive: 0 };
  };
  const out: number[] = [];
  for (const [id, teamOnly, levelId, directCount, tp, tt, lp, lt, ap, at] of found?.r ?? []) {
    const thisMonth = fig(tp, tt, month);
    const lastMonth = fig(lp, lt, last);
    const performance: LevelFacts['performance'] = {
      thisMonth,
      lastMonth,
      lifetime: { personalNet: BigInt(ap ?? 0), teamNet: BigInt(at ?? 0) },
      increment: { personal: thisMonth.personalNet - lastMonth.personalNet, team: thisMonth.teamNet - lastMonth.teamNet },
    };
    const current = levelOf(ladder, levelId);
    if (mayRiseCountingAllDirects(teamOnly ? teamLadder : ladder, current, performance, directCount ?? 0)) out.push(id);
  }
  return out;
}

/**
 * After each performance batch, in its transaction: the members a level
 * above could newly accept are screened, then evaluated in full. Newly:
 * the batch names the members for which a watched figure crossed one of the
 * ladder's thresholds (figureWatch), so the screen reads a few hundred
 * members rather than every ancestor of every seller (tens of thousands a
 * busy second). A member that already met a level before the batch without
 * being raised (the ladder was made easier, a month turned) is raised by
 * a sweep (the saved ladder's, or the daily one), as members without sales
 * always were, not by its next unrelated sale.
 */
onPerformanceChanged(async (tx) => {
  const ladder = await readLadderForChange(tx);
  if (!hasPerformanceUpgrades(ladder)) return null;
  return {
    watch: figureWatch(ladder),
    changed: async (change) => {
      // With thresholds watched, the batch names only the members that crossed one or are unsure (see PerformanceChange).
      const { personal, teamOnly } = change;
      const candidates: number[] = [];
      const p = personal.length;
      for (let i = 0; i < p + teamOnly.length; i += SCREEN_CHUNK) {
        const part = { personal: personal.slice(i, i + SCREEN_CHUNK), teamOnly: teamOnly.slice(Math.max(0, i - p), Math.max(0, i + SCREEN_CHUNK - p)) };
        candidates.push(...(await upgradeCandidates(tx, ladder, part, change.month)));
      }
      await evaluateUpgrades(tx, candidates, change.month, ladder);
    },
  };
});

/**
 * A member bound or moved: its new parent gained a direct member, and when
 * the moved subtree brought performance with it, every new ancestor's team
 * figures grew. The old parent and ancestors only lost, and performance
 * never lowers a level, so they are left alone (downgrades are monthly).
 * Every registration passes here, so the common case — a new member without
 * figures under a parent its arrival cannot lift — costs one small read.
 */
onSubtreeMoved(async (tx, moved) => {
  const parent = moved.newPath.at(-1);
  if (parent === undefined) return;
  const [s] = await queryRows<{ version: number | null; figures: boolean; parent_level: number | string | null; child_level: number | string | null; parent_directs: number }>(tx, sql`
    select (select max(version) from level_ladder_versions) as version,
      exists(select 1 from member_performance where member_id = ${moved.memberId}) as figures,
      (select level_id from member_levels where member_id = ${parent}) as parent_level,
      (select level_id from member_levels where member_id = ${moved.memberId}) as child_level,
      (select direct_count from member_tree where member_id = ${parent}) as parent_directs`);
  const ladder = await ladderAtVersion(tx, Number(s!.version ?? 0));
  if (!hasPerformanceUpgrades(ladder)) return;
  const rankOf = (id: number | string | null) => levelOf(ladder, id === null ? null : Number(id)).rank;
  if (s!.figures) await evaluateUpgrades(tx, moved.newPath, currentMonth());
  else if (directsMayLift(ladder, rankOf(s!.parent_level), Number(s!.parent_directs), rankOf(s!.child_level))) await evaluateUpgrades(tx, [parent], currentMonth());
});

/**
 * The sweep: every member, a batch at a time, each batch its own short
 * transaction. Catches what no event announced: a ladder edited to easier
 * conditions (swept once per saved version, see runLadderSweep), a month
 * turning over for last-month conditions (the daily sweep).
 */
export async function sweepUpgrades(db: Db, timeZone: string, batchSize = EVALUATION_CHUNK): Promise<{ members: number; upgraded: number }> {
  const month = monthOf(new Date(), timeZone);
  let after = 0;
  let seen = 0;
  let upgraded = 0;
  for (;;) {
    const rows = await queryRows<{ id: number | string }>(db, sql`
      select id from members where id > ${after} and status <> 'closed' order by id limit ${batchSize}`);
    if (rows.length === 0) break;
    const ids = rows.map((r) => Number(r.id));
    upgraded += (await db.transaction((tx) => evaluateUpgrades(tx, ids, month))).length;
    seen += ids.length;
    after = ids.at(-1)!;
  }
  return { members: seen, upgraded };
}
