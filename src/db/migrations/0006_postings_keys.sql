-- Fewer indexes on the hottest table: every event writes several postings.
-- The primary key (entry_id, id) now serves "postings of an entry" too.
DROP INDEX "ledger_postings_entry_idx";--> statement-breakpoint
DROP INDEX "ledger_postings_platform_idx";--> statement-breakpoint
ALTER TABLE "ledger_postings" DROP CONSTRAINT "ledger_postings_pkey";--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_pkey" PRIMARY KEY("entry_id","id");--> statement-breakpoint
-- Room on each page so that updates of hot wallets stay HOT (no index write).
ALTER TABLE "wallets" SET (fillfactor = 70);
