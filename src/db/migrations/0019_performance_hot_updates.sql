-- Every sale adds to the team figures of each of its member's ancestors. With
-- only the key indexed those updates can be HOT (no index entries written),
-- when the page has room for the new row version: leave a fifth free.
DROP INDEX "member_performance_team_rank_idx";--> statement-breakpoint
ALTER TABLE "member_performance" SET (fillfactor = 80);
