import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, idParam, pageLimit } from '../../lib/http/schemas.js';
import { fenOut, nonNegativeFen, ppmSchema } from '../../lib/money.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { readSettings, writeSettings } from '../settings/settings.service.js';
import { conditionSetInput, conditionSetJson, emptyConditionSet } from './conditions.js';
import { enabledLevels } from './ladder.js';
import { encodeLevel, holdersByLevel, ladderVersions, levelNames, readLadder, saveLadder } from './ladder.service.js';
import { levelSettingsDef, levelSettingsSchema } from './level-settings.js';
import { levelHistoryOf, setMemberLevelByStaff } from './member-level.service.js';
import { memberLevelView } from './level-view.service.js';
import { describedSet, describedSetOut, historyOut, levelBrief, memberLevelOut, toHistoryOut, toMemberLevelOut } from './levels.views.js';
import { currentMonth, evaluateParentsOf, setLevelsTimeZone } from './upgrades.service.js';

const levelJson = z.object({
  id: z.number(),
  name: z.string(),
  rank: z.number(),
  priceFen: fenOut.describe('purchase price; "0" = not for sale'),
  rateProfitSharePpm: z.number(),
  upgrade: conditionSetJson,
  keep: conditionSetJson,
  enabled: z.boolean(),
});
const ladderOut = z.object({
  version: z.number().describe('send it back with PUT'),
  levels: z.array(levelJson.extend({ holders: z.number().describe('members at this level (members without a recorded level count at the lowest enabled one)') })),
});

const levelIn = z
  .object({
    id: z.number().int().positive().optional().describe('an existing level; leave out to create one'),
    name: z.string().trim().min(1).max(20),
    rank: z.number().int().min(1).max(1_000_000).describe('unique; higher is better'),
    priceFen: nonNegativeFen.describe('purchase price in fen; 0 = not for sale'),
    rateProfitSharePpm: ppmSchema,
    upgrade: conditionSetInput.default(emptyConditionSet).describe('performance upgrade conditions; empty = not by performance'),
    keep: conditionSetInput.default(emptyConditionSet).describe('what a member at this level must keep meeting each month (when downgrades are on); empty = nothing'),
    enabled: z.boolean().default(true),
    holders: z.unknown().optional().describe('read-only (as GET returns it); ignored, so a ladder read can be sent back as it is'),
  })
  .strict();

const settingsOut = levelSettingsSchema.extend({ version: z.number() });

export function levelRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  setLevelsTimeZone(ctx.config.PLATFORM_TIMEZONE);
  const month = () => currentMonth(ctx.config.PLATFORM_TIMEZONE);
  const adminTags = ['admin: levels'];

  const ladderResponse = async () => {
    const ladder = await readLadder(ctx.db);
    const holders = await holdersByLevel(ctx.db, ladder);
    return { version: ladder.version, levels: ladder.levels.map((l) => ({ ...encodeLevel(l), holders: holders.get(l.id) ?? 0 })) };
  };

  // ---------------------------------------------------------------- the ladder

  app.get('/api/member/levels', {
    config: { access: access.public },
    schema: {
      tags: ['member: levels'],
      summary: 'The level ladder as members see it: names, prices, profit-share rates, conditions in words',
      response: {
        200: z.object({
          levels: z.array(z.object({
            id: z.number(),
            name: z.string(),
            rank: z.number(),
            priceFen: fenOut,
            forSale: z.boolean(),
            rateProfitSharePpm: z.number(),
            upgrade: describedSetOut.describe('how the level is reached by performance; empty items = only by purchase'),
            keep: describedSetOut.describe('what must be kept each month (applies only when the operator switches downgrades on)'),
          })),
        }),
      },
    },
  }, async () => {
    const ladder = await readLadder(ctx.db);
    return {
      levels: enabledLevels(ladder).map((l) => ({
        ...levelBrief(l),
        priceFen: l.priceFen.toString(),
        forSale: l.priceFen > 0n,
        upgrade: describedSet(ladder, l.upgrade),
        keep: describedSet(ladder, l.keep),
      })),
    };
  });

  app.get('/api/admin/levels', {
    config: { access: access.anyStaff },
    schema: { tags: adminTags, summary: 'The ladder (disabled levels included) and its version', response: { 200: ladderOut } },
  }, ladderResponse);

  app.put('/api/admin/levels', {
    config: { access: access.staff('owner', 'ops') },
    schema: {
      tags: adminTags,
      summary: 'Save the whole ladder (create, edit, reorder, enable/disable, remove unused levels) as a new version',
      description:
        'Send every level: with `id` to edit, without to create; a level left out is removed, which is refused (409) while members hold it or orders are buying it — disable it instead. ' +
        'Refused with 400 and one detail per problem: duplicate ranks or names, a profit-share rate lower than a lower-ranked enabled level’s, a condition counting members at a rank no level has, no enabled level. ' +
        'A stale `version` gets 409.',
      body: z.object({ version: z.number().int().min(0), levels: z.array(levelIn).max(50) }).strict(),
      response: { 200: ladderOut },
    },
  }, async (req) => {
    await saveLadder(ctx.db, auditContextOf(req), req.body.levels, req.body.version);
    return ladderResponse();
  });

  app.get('/api/admin/levels/versions', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'Every saved version of the ladder, newest first, with who saved it',
      querystring: z.object({ cursor: cursorParam, limit: pageLimit }),
      response: {
        200: z.object({
          items: z.array(z.object({ version: z.number(), savedByKind: z.string(), savedBy: z.number().nullable(), savedAt: z.string(), levels: z.array(z.unknown()) })),
          nextCursor: z.string().nullable(),
        }),
      },
    },
  }, async (req) => {
    const page = await ladderVersions(ctx.db, req.query.limit, req.query.cursor);
    return {
      items: page.items.map((v) => ({ version: v.version, savedByKind: v.savedByKind, savedBy: v.savedBy, savedAt: v.savedAt.toISOString(), levels: v.levels })),
      nextCursor: page.nextCursor,
    };
  });

  // ---------------------------------------------------------------- a member's level

  app.get('/api/member/level', {
    config: { access: access.member },
    schema: {
      tags: ['member: levels'],
      summary: 'My level, my progress towards the next one (each condition: holds, current, target) and the levels I can buy',
      response: { 200: memberLevelOut },
    },
  }, async (req) => toMemberLevelOut(await memberLevelView(ctx.db, requireMember(req).memberId, month())));

  const historyQuery = z.object({ cursor: cursorParam, limit: pageLimit });
  const historyPage = async (memberId: number, q: z.infer<typeof historyQuery>, withActor: boolean) => {
    const [page, names] = await Promise.all([levelHistoryOf(ctx.db, memberId, { before: q.cursor, limit: q.limit }), levelNames(ctx.db)]);
    return { items: page.items.map((h) => toHistoryOut(h, names, withActor)), nextCursor: page.nextCursor };
  };

  app.get('/api/member/level/history', {
    config: { access: access.member },
    schema: { tags: ['member: levels'], summary: 'My level changes, newest first', querystring: historyQuery, response: { 200: historyOut } },
  }, async (req) => historyPage(requireMember(req).memberId, req.query, false));

  app.get('/api/admin/members/:id/level', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: members'], summary: "A member's level and progress", params: idParam, response: { 200: memberLevelOut } },
  }, async (req) => toMemberLevelOut(await memberLevelView(ctx.db, req.params.id, month())));

  app.get('/api/admin/members/:id/level/history', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: members'], summary: "A member's level changes, newest first", params: idParam, querystring: historyQuery, response: { 200: historyOut } },
  }, async (req) => historyPage(req.params.id, req.query, true));

  app.put('/api/admin/members/:id/level', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: members'],
      summary: "Set a member's level (up or down, to an enabled level), with a reason; audited",
      params: idParam,
      body: z.object({ levelId: z.number().int().positive(), reason: z.string().trim().min(2).max(500) }).strict(),
      response: { 200: memberLevelOut },
    },
  }, async (req) => {
    await ctx.db.transaction(async (tx) => {
      const change = await setMemberLevelByStaff(tx, auditContextOf(req), { memberId: req.params.id, levelId: req.body.levelId, reason: req.body.reason });
      if (change.raised) await evaluateParentsOf(tx, [req.params.id], month());
    });
    return toMemberLevelOut(await memberLevelView(ctx.db, req.params.id, month()));
  });

  // ---------------------------------------------------------------- settings

  const readLevelSettings = async () => {
    const s = await readSettings(ctx.db, levelSettingsDef);
    return { ...s.value, version: s.version };
  };
  app.get('/api/admin/settings/levels', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: settings'], summary: 'Level purchase pricing and downgrades', response: { 200: settingsOut } },
  }, readLevelSettings);

  app.put('/api/admin/settings/levels', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: settings'],
      summary: 'Change level purchase pricing and downgrades (send the version you read; a stale one gets 409)',
      body: levelSettingsSchema.extend({ version: z.number().int().min(0) }).strict(),
      response: { 200: settingsOut },
    },
  }, async (req) => {
    const { version, ...value } = req.body;
    await writeSettings(ctx.db, auditContextOf(req), levelSettingsDef, value, version, (v) => v);
    return readLevelSettings();
  });
}
