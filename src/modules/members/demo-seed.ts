import { and, inArray, isNotNull, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { type AuditContext, systemAuditContext } from '../audit/audit.service.js';
import { assertStrongPassword, MEMBER_PASSWORD_MIN, type PasswordHasher } from '../auth/passwords.js';
import type { FileStore } from '../onboarding/files.js';
import { applicationStates, type ApplicationState, type FileKind, onboardingApplications } from '../onboarding/onboarding.schema.js';
import { applicationFields, attachFile, reviewApplication, saveDraft, submitApplication } from '../onboarding/onboarding.service.js';
import type { PaymentOrder } from '../payments/payments.schema.js';
import { confirmPayment, createOrder } from '../payments/payments.service.js';
import { memberTree } from '../referrals/referrals.schema.js';
import { bindFirst } from '../referrals/tree.service.js';
import { temporaryPassword } from '../staff/staff.service.js';
import { demoImage, demoMembers, type DemoMember, planDemoNetwork } from './demo-network.js';
import { describeDemoSales, seedDemoSales } from './demo-sales.js';
import { members } from './members.schema.js';

/** Marks the accounts this command created: it never binds or onboards anybody else's. */
const SEEDED_BY = 'seed-demo';

export interface DemoSeedDeps {
  hasher: PasswordHasher;
  /** The server's field cipher (same data key), so it can read what is seeded here. */
  cipher: FieldCipher;
  files: FileStore;
  /** The platform time zone: the demo sales fall on its days and months. */
  timeZone: string;
}

export interface DemoNetworkSummary {
  members: number;
  /** Members per generation, the roots first. */
  generations: number[];
  states: Record<ApplicationState | 'none', number>;
  /** Submissions waiting for review that carry risk flags. */
  flagged: number;
  feesPaid: number;
  feesPaidFen: Fen;
}

/**
 * Seeds the demo network (demo-network.ts) through the product's own
 * services: registration rows, bindings, onboarding steps, entry-fee
 * payments, then a year of the active members' sales pushed through the
 * channel ingest (demo-sales.ts). Idempotent: members that exist are left as
 * they are, bindings, applications and sales are only added where missing,
 * so a second run changes nothing. Each member's binding and onboarding
 * commit together, and sales are pushed in batches under stable ids, so an
 * interrupted run resumes cleanly.
 */
export async function seedDemo(db: Db, deps: DemoSeedDeps, options: { password?: string | undefined }) {
  const password = options.password ?? temporaryPassword();
  assertStrongPassword(password, MEMBER_PASSWORD_MIN);
  const plan = planDemoNetwork();
  const phones = plan.map((m) => m.phone);

  const before = await db
    .select({ id: members.id, phone: members.phone, ip: members.registrationIp, agent: members.registrationUserAgent })
    .from(members)
    .where(inArray(members.phone, phones));
  const existing = new Set(before.map((r) => r.phone));
  const missing = plan.filter((m) => !existing.has(m.phone));
  let created: { id: number; phone: string }[] = [];
  if (missing.length > 0) {
    const passwordHash = await deps.hasher.hash(password); // once: every demo member shares it
    created = await db
      .insert(members)
      .values(missing.map((m) => ({ phone: m.phone, displayName: m.displayName, passwordHash, registrationIp: m.ip, registrationUserAgent: SEEDED_BY, registrationDeviceId: m.deviceId })))
      .onConflictDoNothing({ target: members.phone })
      .returning({ id: members.id, phone: members.phone });
  }
  // Ours: created now, or by an earlier run (the first version marked the registration IP).
  const ids = new Map<string, number>([
    ...before.filter((r) => r.agent === SEEDED_BY || r.ip === SEEDED_BY).map((r) => [r.phone, r.id] as const),
    ...created.map((r) => [r.phone, r.id] as const),
  ]);
  const memberIds = [...ids.values()];
  const bound = new Set(
    (await db.select({ id: memberTree.memberId }).from(memberTree).where(and(inArray(memberTree.memberId, memberIds), isNotNull(memberTree.parentId)))).map((r) => r.id),
  );
  const applied = new Set((await db.select({ id: onboardingApplications.memberId }).from(onboardingApplications).where(inArray(onboardingApplications.memberId, memberIds))).map((r) => r.id));

  const images = new Map<string, Buffer>();
  const imageOf = (kind: FileKind, variant: number) => {
    const key = `${kind}:${variant}`;
    if (!images.has(key)) images.set(key, demoImage(kind, variant));
    return images.get(key)!;
  };
  let bindings = 0;
  let applications = 0;
  for (const m of plan) {
    const memberId = ids.get(m.phone);
    if (memberId === undefined) continue;
    const parentId = inviterOf(plan, m, ids);
    const bind = parentId !== null && !bound.has(memberId);
    const onboard = m.steps.length > 0 && !applied.has(memberId);
    if (!bind && !onboard) continue;
    // Parents come before their children in the plan, so every path is final when a child binds.
    // One transaction per member (the services nest as savepoints): a run that stops midway leaves
    // each member either untouched or where the plan puts it, never half-onboarded. The images
    // are written to disk inside it; a rolled-back member leaves only unreferenced encrypted files.
    await db.transaction(async (tx) => {
      const self: AuditContext = { actorKind: 'member', actorId: memberId, ip: m.ip, requestId: SEEDED_BY };
      if (bind) {
        const staff = m.via === 'staff_assign';
        await bindFirst(tx, { memberId, parentId, via: m.via, actor: staff ? systemAuditContext(SEEDED_BY) : self, reason: staff ? '线下推荐，运营补录' : null });
      }
      if (onboard) await runSteps(tx, deps, memberId, m, self, imageOf);
    });
    if (bind) bindings++;
    if (onboard) applications++;
  }
  const salesPushed = await seedDemoSales(db, deps.cipher, deps.timeZone, plan, ids);
  return {
    created: created.length,
    existing: existing.size,
    bindings,
    applications,
    salesPushed,
    phones: demoMembers.map((m) => m.phone),
    password: created.length > 0 ? password : null,
    network: await describeDemoNetwork(db, memberIds),
    sales: await describeDemoSales(db, memberIds, deps.timeZone),
  };
}

/** The nearest planned ancestor that is ours (a phone somebody else registered is skipped over). */
function inviterOf(plan: DemoMember[], m: DemoMember, ids: Map<string, number>): number | null {
  for (let p = m.parent; p !== null; p = plan[p]!.parent) {
    const id = ids.get(plan[p]!.phone);
    if (id !== undefined) return id;
  }
  return null;
}

const formFields = applicationFields.partial();

/** What the member (and a reviewer, and the payment channel) would have done, step by step. */
async function runSteps(tx: Db, deps: DemoSeedDeps, memberId: number, m: DemoMember, self: AuditContext, imageOf: (kind: FileKind, variant: number) => Buffer) {
  const reviewer = systemAuditContext(SEEDED_BY);
  let order: PaymentOrder | null = null;
  for (const step of m.steps) {
    switch (step.do) {
      case 'save':
        // Validated as the H5 form is: what is seeded is what the product accepts.
        await saveDraft(tx, deps.cipher, memberId, formFields.parse(step.fields));
        break;
      case 'upload':
        for (const kind of step.kinds) await attachFile(tx, deps.files, memberId, kind, imageOf(kind, m.imageVariant));
        break;
      case 'submit':
        await submitApplication(tx, deps.cipher, memberId, self);
        break;
      case 'review':
        await reviewApplication(tx, reviewer, memberId, step.decision, step.reason);
        break;
      case 'order':
        order = await createOrder(tx, { memberId, purpose: 'entry_fee', channelId: 'sandbox' });
        break;
      case 'pay': {
        if (!order) throw new Error('seed-demo: a payment step needs an order step before it');
        const outcome = await confirmPayment(tx, {
          channelId: 'sandbox',
          dedupeKey: `${SEEDED_BY}:${order.orderNo}`,
          orderNo: order.orderNo,
          channelTradeNo: `SBX${order.orderNo.slice(2)}`,
          amount: order.amount,
          paid: true,
          paidAt: new Date(),
          detail: { simulated: true, by: SEEDED_BY },
        });
        if (outcome !== 'applied') throw new AppError('INTERNAL', `seed-demo: the entry fee of ${m.phone} was not applied (${outcome})`);
        break;
      }
    }
  }
}

/** The seeded network as it stands in the database. */
export async function describeDemoNetwork(db: Db, memberIds: number[]): Promise<DemoNetworkSummary> {
  const states = Object.fromEntries(['none', ...applicationStates].map((s) => [s, 0])) as DemoNetworkSummary['states'];
  if (memberIds.length === 0) return { members: 0, generations: [], states, flagged: 0, feesPaid: 0, feesPaidFen: 0n };
  const ids = sql`${`{${memberIds.join(',')}}`}::bigint[]`;
  const [byDepth, byState, fees] = await Promise.all([
    queryRows<{ depth: number; n: number }>(db, sql`select depth, count(*)::int as n from member_tree where member_id = any(${ids}) group by depth order by depth`),
    queryRows<{ state: string; n: number; flagged: number }>(db, sql`
      select coalesce(a.state, 'none') as state, count(*)::int as n,
             count(*) filter (where a.state = 'submitted' and jsonb_array_length(a.risk_flags) > 0)::int as flagged
      from unnest(${ids}) as m(id) left join onboarding_applications a on a.member_id = m.id group by 1`),
    queryRows<{ n: number; total: string }>(db, sql`
      select count(*)::int as n, coalesce(sum(amount), 0)::text as total from payment_orders
      where member_id = any(${ids}) and purpose = 'entry_fee' and status = 'paid'`),
  ]);
  const generations: number[] = [];
  for (const r of byDepth) generations[Number(r.depth)] = Number(r.n);
  for (const r of byState) states[r.state as keyof typeof states] = Number(r.n);
  return {
    members: memberIds.length,
    generations: Array.from(generations, (n) => n ?? 0),
    states,
    flagged: byState.reduce((s, r) => s + Number(r.flagged), 0),
    feesPaid: Number(fees[0]!.n),
    feesPaidFen: BigInt(fees[0]!.total),
  };
}
