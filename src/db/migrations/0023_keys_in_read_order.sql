-- Fewer indexes to maintain per reward event, and the reads every event makes
-- served from an index alone.
--
-- outbox_events: consumers read in (xid, id) order and nothing looks an event
-- up by its id alone, so the key is (xid, id) and the separate order index goes.
ALTER TABLE "outbox_events" DROP CONSTRAINT "outbox_events_pkey";--> statement-breakpoint
DROP INDEX "outbox_events_order_idx";--> statement-breakpoint
ALTER TABLE "outbox_events" ADD CONSTRAINT "outbox_events_pkey" PRIMARY KEY("xid","id");--> statement-breakpoint
-- reward_payouts: every reader finds payouts by their ledger entry, so the key
-- leads with it and the separate entry index goes.
ALTER TABLE "reward_payouts" DROP CONSTRAINT "reward_payouts_pkey";--> statement-breakpoint
DROP INDEX "reward_payouts_entry_idx";--> statement-breakpoint
ALTER TABLE "reward_payouts" ADD CONSTRAINT "reward_payouts_pkey" PRIMARY KEY("entry_id","id");--> statement-breakpoint
-- member_tree: what each reward event reads of the seller and its three
-- ancestors, in the index (index-only scans, no heap visit per member). Only
-- columns that rarely change: direct_count, which every registration raises on
-- the parent, stays out, or those updates could no longer be HOT and would
-- write the parent's whole path into the GIN index each time. drizzle-kit
-- cannot declare INCLUDE, so this index lives here only (see referrals.schema.ts).
CREATE INDEX "member_tree_facts_idx" ON "member_tree" USING btree ("member_id") INCLUDE ("up3", "level_id", "status_active", "onboarded");
