CREATE TABLE "frozen_lots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "frozen_lots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"entry_id" bigint NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"release_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	CONSTRAINT "frozen_lots_remaining_check" CHECK ("frozen_lots"."remaining" >= 0 and "frozen_lots"."remaining" <= "frozen_lots"."amount")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"kind" text NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text NOT NULL,
	"memo" text,
	"fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_postings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_postings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entry_id" bigint NOT NULL,
	"account" text NOT NULL,
	"member_id" bigint,
	"amount" bigint NOT NULL,
	"balance_after" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_postings_account_check" CHECK ("ledger_postings"."account" in ('wallet:frozen', 'wallet:available', 'wallet:withdrawing', 'fees:onboarding', 'fees:level', 'fees:withdrawal', 'rewards:expense', 'channel:clearing', 'payouts:clearing', 'rounding')),
	CONSTRAINT "ledger_postings_owner_check" CHECK (("ledger_postings"."member_id" is not null) = ("ledger_postings"."account" like 'wallet:%')),
	CONSTRAINT "ledger_postings_nonzero" CHECK ("ledger_postings"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"frozen" bigint DEFAULT 0 NOT NULL,
	"available" bigint DEFAULT 0 NOT NULL,
	"withdrawing" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_frozen_nonnegative" CHECK ("wallets"."frozen" >= 0),
	CONSTRAINT "wallets_withdrawing_nonnegative" CHECK ("wallets"."withdrawing" >= 0)
);
--> statement-breakpoint
ALTER TABLE "frozen_lots" ADD CONSTRAINT "frozen_lots_entry_id_ledger_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."ledger_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_entry_id_ledger_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."ledger_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "frozen_lots_due_idx" ON "frozen_lots" USING btree ("release_at","id") WHERE "frozen_lots"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "frozen_lots_source_idx" ON "frozen_lots" USING btree ("source_type","source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_idempotency_key" ON "ledger_entries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "ledger_entries_source_idx" ON "ledger_entries" USING btree ("source_type","source_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_entry_idx" ON "ledger_postings" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_member_idx" ON "ledger_postings" USING btree ("member_id","id") WHERE "ledger_postings"."member_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_postings_platform_idx" ON "ledger_postings" USING btree ("account") WHERE "ledger_postings"."member_id" is null;