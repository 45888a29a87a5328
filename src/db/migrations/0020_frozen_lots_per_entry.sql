-- One frozen lot per ledger entry instead of one per member and entry: what a
-- lot holds is its entry's own wallet:frozen postings (see ledger.schema.ts).
-- Lots of one entry always share their release time and are closed together,
-- except when a release run stopped between two of its batches: such an entry
-- has no per-entry form, so the upgrade refuses until it is finished.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "frozen_lots" GROUP BY "entry_id" HAVING bool_or("closed_at" IS NULL) AND bool_or("closed_at" IS NOT NULL)) THEN
    RAISE EXCEPTION 'frozen_lots: some ledger entries are only partly released; run "release-frozen" with the previous version, then upgrade';
  END IF;
  IF EXISTS (
    SELECT 1 FROM "frozen_lots" l
    WHERE l."closed_at" IS NULL AND l."remaining" <> coalesce((
      SELECT sum(p."amount") FROM "ledger_postings" p
      WHERE p."entry_id" = l."entry_id" AND p."member_id" = l."member_id" AND p."account" = 'wallet:frozen'), 0)) THEN
    RAISE EXCEPTION 'frozen_lots: an open lot differs from its entry''s frozen posting; run "verify-ledger" before upgrading';
  END IF;
END $$;--> statement-breakpoint
CREATE TABLE "frozen_lots_by_entry" (
	"entry_id" bigint PRIMARY KEY NOT NULL,
	"release_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text
);--> statement-breakpoint
INSERT INTO "frozen_lots_by_entry" ("entry_id", "release_at", "closed_at", "closed_by")
SELECT "entry_id", min("release_at"), max("closed_at"), max("closed_by") FROM "frozen_lots" GROUP BY "entry_id";--> statement-breakpoint
DROP TABLE "frozen_lots";--> statement-breakpoint
ALTER TABLE "frozen_lots_by_entry" RENAME TO "frozen_lots";--> statement-breakpoint
ALTER INDEX "frozen_lots_by_entry_pkey" RENAME TO "frozen_lots_pkey";--> statement-breakpoint
CREATE INDEX "frozen_lots_due_idx" ON "frozen_lots" USING btree ("release_at","entry_id") WHERE "frozen_lots"."closed_at" is null;
