DROP INDEX "channel_transactions_member_idx";--> statement-breakpoint
CREATE INDEX "channel_transactions_occurred_brin" ON "channel_transactions" USING brin ("occurred_at");