-- Rows rewritten by every sale: the team figures of each ancestor, and the
-- wallets of the members paid. With only their keys indexed those updates
-- can be HOT (no index entries written) when the page has room for the new
-- row version: leave part of each page free.
DROP INDEX "member_performance_team_rank_idx";--> statement-breakpoint
ALTER TABLE "member_performance" SET (fillfactor = 80);--> statement-breakpoint
ALTER TABLE "wallets" SET (fillfactor = 80);
