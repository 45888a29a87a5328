-- Sales of batch pushes are paid in the push's transaction; their events are
-- marked so the rewards consumer, reading through the partial index, never
-- reads them only to pass them (before, it probed reward_events for each).
ALTER TABLE "outbox_events" ADD COLUMN "applied_inline" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_events_not_inline_idx" ON "outbox_events" USING btree ("xid","id") WHERE not "outbox_events"."applied_inline";--> statement-breakpoint
-- Sales already paid in their push's transaction but not yet passed by the
-- rewards cursor: mark them, or the consumer would hand them over again.
UPDATE "outbox_events" e SET "applied_inline" = true
WHERE e."type" = 'transaction_settled'
  AND EXISTS (SELECT 1 FROM "reward_events" r WHERE r."event_id" = e."id")
  AND NOT EXISTS (SELECT 1 FROM "outbox_cursors" c WHERE c."consumer" = 'rewards' AND (e."xid", e."id") <= (c."last_xid", c."last_id"));
