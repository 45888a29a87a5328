import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, idParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { getMember } from '../members/members.service.js';
import { conditionDefinitions, recipientDefinitions, triggerNames, triggers } from './definitions.js';
import { payoutLines, type PayoutLine, replayEvent, rulesInWords, whyMember } from './explain.service.js';
import { encodeRuleSet, ruleSetInput, validateRuleSet, type ValidationContext } from './rule-set.js';
import { activeRuleSet, discardDraft, listVersions, publishDraft, readDraft, ruleSetAt, saveDraft, type StoredRuleSet, validationContext } from './rule-sets.service.js';
import { simulate } from './simulation.service.js';
import { applyRewardEvents } from './rewards.service.js';
import { setSalesStoredHandler } from '../channels/ingest.service.js';

/** Bigints (fen) become digit strings, dates ISO strings: what every response here carries. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v)]));
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

const anyJson = z.record(z.string(), z.unknown());
const problemsOut = z.object({ problems: z.array(z.object({ path: z.string(), message: z.string() })), worstCase: z.array(anyJson) });
const actorOut = z.object({ id: z.number(), displayName: z.string() }).nullable();
const ruleSetOut = z.object({
  version: z.number(),
  state: z.enum(['draft', 'published', 'retired']),
  basedOn: z.number().nullable(),
  note: z.string().nullable(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  createdBy: actorOut.describe('the staff member who saved this version; null for the version the system installed'),
  publishedBy: actorOut.describe('the staff member who published it; null while a draft, and for the version the system installed'),
  body: anyJson.describe('the rule set; money as fen strings (same shape PUT /draft takes)'),
  worstCase: z.array(anyJson).describe('per trigger: the most one event could pay (ppm of its amount) against its ceiling'),
});
const payoutLineOut = anyJson.describe('one payout: event, trigger, rule/profit share/peer, version, position, base, rate, gross, cuts, amount, text');
const linesOut = z.object({ items: z.array(payoutLineOut), nextCursor: z.string().nullable() });
const eventIdParam = z.object({ eventId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export function rewardRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tz = ctx.config.PLATFORM_TIMEZONE;
  const tags = ['admin: rewards'];
  // Batch pushes pay their sales in their own transaction; the outbox consumer pays the rest.
  setSalesStoredHandler((tx, events) => applyRewardEvents(tx, events, tz));
  const editors = access.staff('owner', 'ops');

  const withWorst = async (s: StoredRuleSet, context?: ValidationContext) => ({
    version: s.version,
    state: s.state,
    basedOn: s.basedOn,
    note: s.note,
    updatedAt: s.updatedAt.toISOString(),
    publishedAt: s.publishedAt?.toISOString() ?? null,
    createdBy: s.createdBy,
    publishedBy: s.publishedBy,
    body: encodeRuleSet(s.body) as unknown as Record<string, unknown>,
    worstCase: validateRuleSet(s.body, context ?? (await validationContext(ctx.db))).worst as unknown as Record<string, unknown>[],
  });

  app.get('/api/admin/rewards/definitions', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The registered building blocks of rules (triggers, recipients, conditions) with JSON schemas of their arguments, for forms', response: { 200: anyJson } },
  }, async () => ({
    triggers: triggers.map((code) => ({ code, name: triggerNames[code] })),
    recipients: recipientDefinitions.map((d) => ({ code: d.code, label: d.label, args: z.toJSONSchema(d.args, { io: 'input', unrepresentable: 'any' }) })),
    conditions: conditionDefinitions.map((d) => ({ code: d.code, label: d.label, args: z.toJSONSchema(d.args, { io: 'input', unrepresentable: 'any' }) })),
    ruleSet: z.toJSONSchema(ruleSetInput, { io: 'input', unrepresentable: 'any' }),
  }));

  app.get('/api/admin/rewards/rule-sets', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'Rule-set versions, newest first', querystring: z.object({ cursor: cursorParam, limit: pageLimit }), response: { 200: z.object({ items: z.array(ruleSetOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const rows = await listVersions(ctx.db, req.query.limit + 1, req.query.cursor);
    // Worst cases against today's ladder and fees, read once for the page.
    const context = await validationContext(ctx.db);
    const items = await Promise.all(rows.slice(0, req.query.limit).map((r) => withWorst(r, context)));
    return { items, nextCursor: rows.length > req.query.limit ? String(items.at(-1)!.version) : null };
  });

  app.get('/api/admin/rewards/rule-sets/active', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The published rule set', response: { 200: ruleSetOut } },
  }, async () => {
    const active = await activeRuleSet(ctx.db);
    const [stored] = await listVersions(ctx.db, 1, active.version + 1);
    return withWorst(stored!);
  });

  app.get('/api/admin/rewards/rule-sets/:id', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'One version', params: idParam, response: { 200: ruleSetOut } },
  }, async (req) => {
    await ruleSetAt(ctx.db, req.params.id);
    const [stored] = await listVersions(ctx.db, 1, req.params.id + 1);
    return withWorst(stored!);
  });

  app.get('/api/admin/rewards/draft', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The draft being edited, if any', response: { 200: z.object({ draft: ruleSetOut.nullable(), activeVersion: z.number() }) } },
  }, async () => {
    const draft = await readDraft(ctx.db);
    return { draft: draft ? await withWorst(draft) : null, activeVersion: (await activeRuleSet(ctx.db)).version };
  });

  app.post('/api/admin/rewards/validate', {
    config: { access: editors },
    schema: { tags, summary: 'Checks a rule set without saving it: problems and the worst case per trigger', body: z.object({ body: ruleSetInput }), response: { 200: problemsOut } },
  }, async (req) => {
    const { problems, worst } = validateRuleSet(req.body.body, await validationContext(ctx.db));
    return { problems, worstCase: worst as unknown as Record<string, unknown>[] };
  });

  app.put('/api/admin/rewards/draft', {
    config: { access: editors },
    schema: {
      tags,
      summary: 'Saves the draft (creates it, or replaces it). Refused (400, with the worst case) when the set could exceed a ceiling',
      body: z.object({ basedOn: z.number().int().positive().describe('the published version the edit started from'), note: z.string().trim().max(200).nullish(), body: ruleSetInput }).strict(),
      response: { 200: ruleSetOut },
    },
  }, async (req) => withWorst(await saveDraft(ctx.db, auditContextOf(req), req.body.body, { basedOn: req.body.basedOn, note: req.body.note })));

  app.delete('/api/admin/rewards/draft', {
    config: { access: editors },
    schema: { tags, summary: 'Discards the draft', response: { 204: z.null() } },
  }, async (req, reply) => {
    await discardDraft(ctx.db, auditContextOf(req));
    return reply.status(204).send(null);
  });

  app.post('/api/admin/rewards/draft/publish', {
    config: { access: editors },
    schema: { tags, summary: 'Publishes the draft: it becomes the active version (audited); new events are paid by it', body: z.object({ draftVersion: z.number().int().positive() }).strict(), response: { 200: ruleSetOut } },
  }, async (req) => withWorst(await publishDraft(ctx.db, auditContextOf(req), req.body.draftVersion)));

  app.post('/api/admin/rewards/simulate', {
    config: { access: access.staff('owner', 'ops', 'finance') },
    schema: {
      tags,
      summary: "Runs the draft (or a given version) and the published set over a past period's events; writes nothing",
      body: z.object({ from: isoDate, to: isoDate, version: z.number().int().positive().optional().describe('default: the draft') }).strict(),
      response: { 200: anyJson },
    },
  }, async (req) => {
    const published = await activeRuleSet(ctx.db);
    let draft;
    if (req.body.version !== undefined) draft = await ruleSetAt(ctx.db, req.body.version);
    else {
      const stored = await readDraft(ctx.db);
      draft = stored ? { ...stored.body, version: stored.version } : published;
    }
    return jsonSafe(await simulate(ctx.db, tz, { draft, published, from: new Date(req.body.from), to: new Date(req.body.to) })) as Record<string, unknown>;
  });

  app.get('/api/admin/rewards/events/:eventId', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'A processed event replayed from its stored inputs: payouts and every verdict on every candidate', params: eventIdParam, response: { 200: anyJson } },
  }, async (req) => {
    const r = await replayEvent(ctx.db, req.params.eventId, tz);
    return jsonSafe({ ...r, result: r.result ? { ...r.result, added: undefined } : null }) as Record<string, unknown>;
  });

  app.get('/api/admin/rewards/events/:eventId/why', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'Why member X was (not) paid for this event: its position and every rule\'s verdict', params: eventIdParam, querystring: z.object({ memberId: z.coerce.number().int().positive() }), response: { 200: anyJson } },
  }, async (req) => {
    const r = await whyMember(ctx.db, req.params.eventId, req.query.memberId, tz);
    return jsonSafe({ eventId: r.replay.eventId, kind: r.replay.kind, version: r.replay.version, memberId: req.query.memberId, position: r.position, decisions: r.decisions }) as Record<string, unknown>;
  });

  app.get('/api/admin/members/:id/rewards', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: members'], summary: "A member's payout lines with explanations", params: idParam, querystring: z.object({ cursor: cursorParam, limit: pageLimit }), response: { 200: linesOut } },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    const page = await payoutLines(ctx.db, { memberId: req.params.id, before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map((l: PayoutLine) => jsonSafe(l) as Record<string, unknown>), nextCursor: page.nextCursor };
  });

  // ---------------------------------------------------------------- members

  app.get('/api/member/rewards', {
    config: { access: access.member },
    schema: { tags: ['member: rewards'], summary: 'My payout lines, each with its explanation', querystring: z.object({ cursor: cursorParam, limit: pageLimit }), response: { 200: linesOut } },
  }, async (req) => {
    const page = await payoutLines(ctx.db, { memberId: requireMember(req).memberId, before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map((l) => jsonSafe(l) as Record<string, unknown>), nextCursor: page.nextCursor };
  });

  app.get('/api/member/rules', {
    config: { access: access.member },
    schema: { tags: ['member: rewards'], summary: 'The active reward rules in plain words', response: { 200: anyJson } },
  }, async () => jsonSafe(await rulesInWords(ctx.db, await activeRuleSet(ctx.db), new Date())) as Record<string, unknown>);
}
