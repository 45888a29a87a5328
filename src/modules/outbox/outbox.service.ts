import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { DomainEvents, DomainEventType } from './events.js';

export interface OutboxEvent<P = unknown> {
  id: number;
  type: string;
  subject: string;
  payload: P;
  createdAt: Date;
}

export type NewOutboxEvent = { [T in DomainEventType]: { type: T; subject: string; payload: DomainEvents[T] } }[DomainEventType];

/** Records events in the caller's transaction: they exist if and only if the change commits. */
export async function emitEvents(tx: Db, events: NewOutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.execute(sql`
    insert into outbox_events (type, subject, payload)
    select * from unnest(
      ${sql.param(events.map((e) => e.type))}::text[],
      ${sql.param(events.map((e) => e.subject))}::text[],
      ${sql.param(events.map((e) => JSON.stringify(e.payload)))}::jsonb[])`);
}

export interface ConsumeOptions {
  /** Leave out events their producing transaction applied already (see `applied_inline`). */
  skipAppliedInline?: boolean;
}

/** The condition that lets PostgreSQL read through outbox_events_not_inline_idx (it must imply the index's predicate). */
const notAppliedInline = (options: ConsumeOptions) => (options.skipAppliedInline ? sql` and not outbox_events.applied_inline` : sql``);

/**
 * Hands the next events to a consumer and advances its cursor in the same
 * transaction as the handler's own writes: if the handler fails, neither its
 * writes nor the cursor move, so every event takes effect exactly once.
 * The consumer row is locked, so two instances never process the same batch.
 *
 * `skipAppliedInline` is for the consumer whose events may have been applied
 * in their producing transaction already (`applied_inline`): it reads through
 * the partial index that holds only the others, so its cursor passes those
 * without reading them at all.
 *
 * Returns how many events the cursor moved past, so a full batch still
 * means more may be waiting.
 */
export async function consumeEvents<T extends DomainEventType>(
  db: Db,
  consumer: string,
  types: T[],
  handler: (tx: Db, events: OutboxEvent<DomainEvents[T]>[]) => Promise<void>,
  limit = 500,
  options: ConsumeOptions = {},
): Promise<number> {
  return db.transaction(async (tx) => {
    const cursor = await lockCursor(tx, consumer);
    // Below the snapshot's xmin every transaction has ended, so nothing can still appear behind the cursor.
    // Order by the xid8 column itself: its text form would sort "100" before "99" and skip events.
    // One row: the events as JSON (a batch is thousands, and rows cost the driver more to decode than
    // their JSON), how many there are, and where the cursor stops.
    const [batch] = await queryRows<{ e: [number, string, string, unknown, string][] | null; n: number | string; last: [number, string] | null }>(tx, sql`
      with w as materialized (
        select id, xid, type, subject, payload, created_at from outbox_events
        where (xid, id) > (${cursor.xid}::xid8, ${cursor.id}::bigint)
          and xid < pg_snapshot_xmin(pg_current_snapshot())
          and type = any(${sql.param(types)}::text[])${notAppliedInline(options)}
        order by outbox_events.xid, outbox_events.id limit ${limit})
      select (select json_agg(json_build_array(id, type, subject, payload, created_at) order by xid, id) from w) as e,
        (select count(*) from w) as n,
        (select json_build_array(id, xid::text) from w order by xid desc, id desc limit 1) as last`);
    const passed = Number(batch?.n ?? 0);
    if (passed === 0) return 0;
    await handler(
      tx,
      batch!.e!.map(([id, type, subject, payload, createdAt]) => ({ id, type, subject, payload: payload as DomainEvents[T], createdAt: new Date(createdAt) })),
    );
    const [lastId, lastXid] = batch!.last!;
    await moveCursor(tx, consumer, { xid: lastXid, id: lastId });
    return passed;
  });
}

/** A position in delivery order: an event's transaction id (xid8, as text) and its id. */
export interface OutboxPosition {
  xid: string;
  id: number;
}

/**
 * A consumer's next batch, left in the database: the events of `types` after
 * `after` up to and including `upTo`, in delivery order. Every event in it
 * belongs to a transaction that had ended when the window was taken (its xid
 * is below that snapshot's xmin), so no event can join or leave it later:
 * each statement that reads it in the batch's transaction sees the same rows.
 */
export interface EventWindow {
  after: OutboxPosition;
  upTo: OutboxPosition;
  types: DomainEventType[];
}

/** The window's events as a FROM item: `from ${windowEvents(w)} e`. */
export const windowEvents = (w: EventWindow): SQL => sql`(
  select * from outbox_events
  where (xid, id) > (${w.after.xid}::xid8, ${w.after.id}::bigint) and (xid, id) <= (${w.upTo.xid}::xid8, ${w.upTo.id}::bigint)
    and type = any(${sql.param(w.types)}::text[]))`;

/**
 * consumeEvents for a consumer that does its work in SQL: the handler gets
 * the batch as a window to read in its own statements instead of the events
 * shipped to it, so a batch of thousands never travels to the process and
 * back. Same guarantees: the cursor moves in the handler's transaction.
 * Returns how many events the cursor moved past.
 */
export async function consumeEventWindow(
  db: Db,
  consumer: string,
  types: DomainEventType[],
  handler: (tx: Db, window: EventWindow) => Promise<void>,
  limit = 500,
): Promise<number> {
  return db.transaction(async (tx) => {
    const after = await lockCursor(tx, consumer);
    const [batch] = await queryRows<{ n: number | string; last: [number, string] | null }>(tx, sql`
      with w as materialized (
        select id, xid from outbox_events
        where (xid, id) > (${after.xid}::xid8, ${after.id}::bigint)
          and xid < pg_snapshot_xmin(pg_current_snapshot())
          and type = any(${sql.param(types)}::text[])
        order by outbox_events.xid, outbox_events.id limit ${limit})
      select (select count(*) from w) as n, (select json_build_array(id, xid::text) from w order by xid desc, id desc limit 1) as last`);
    const passed = Number(batch?.n ?? 0);
    if (passed === 0) return 0;
    const [lastId, lastXid] = batch!.last!;
    const upTo = { xid: lastXid, id: lastId };
    await handler(tx, { after, upTo, types });
    await moveCursor(tx, consumer, upTo);
    return passed;
  });
}

/** The consumer's cursor, locked for the batch's transaction (a consumer's first batch creates it). */
async function lockCursor(tx: Db, consumer: string): Promise<OutboxPosition> {
  await tx.execute(sql`insert into outbox_cursors (consumer) values (${consumer}) on conflict do nothing`);
  const [cursor] = await queryRows<{ last_xid: string; last_id: number | string }>(tx, sql`
    select last_xid::text as last_xid, last_id from outbox_cursors where consumer = ${consumer} for update`);
  return { xid: cursor!.last_xid, id: Number(cursor!.last_id) };
}

async function moveCursor(tx: Db, consumer: string, to: OutboxPosition): Promise<void> {
  await tx.execute(sql`
    update outbox_cursors set last_xid = ${to.xid}::xid8, last_id = ${to.id}, updated_at = now() where consumer = ${consumer}`);
}

/**
 * Whether committed events wait behind a transaction that is still running
 * (anywhere on the server: the horizon is cluster-wide). They are delivered
 * once it ends; callers that must see everything applied wait for that.
 */
export async function eventsWaitingOnHorizon(db: Db, consumer: string, types: DomainEventType[], options: ConsumeOptions = {}): Promise<boolean> {
  const [row] = await queryRows<{ yes: boolean }>(db, sql`
    select exists(
      select 1 from outbox_events, outbox_cursors c
      where c.consumer = ${consumer} and (outbox_events.xid, outbox_events.id) > (c.last_xid, c.last_id)
        and outbox_events.type = any(${sql.param(types)}::text[])${notAppliedInline(options)}) as yes`);
  return row?.yes ?? false;
}

/**
 * Runs a consumer until it has applied everything committed so far. Events
 * behind a transaction still running are waited for (up to `maxWaitMs`), so
 * afterwards the consumer's effects include every committed event.
 */
export async function drainConsumer(
  db: Db,
  consumer: string,
  types: DomainEventType[],
  consume: () => Promise<number>,
  maxWaitMs = 30_000,
  options: ConsumeOptions = {},
): Promise<number> {
  let total = 0;
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const n = await consume();
    total += n;
    if (n > 0) continue;
    if (Date.now() > deadline || !(await eventsWaitingOnHorizon(db, consumer, types, options))) return total;
    await new Promise((r) => setTimeout(r, 20));
  }
}
