CREATE TABLE "member_performance" (
	"member_id" bigint NOT NULL,
	"month" date NOT NULL,
	"personal_settled" bigint DEFAULT 0 NOT NULL,
	"personal_refunded" bigint DEFAULT 0 NOT NULL,
	"personal_txns" integer DEFAULT 0 NOT NULL,
	"team_settled" bigint DEFAULT 0 NOT NULL,
	"team_refunded" bigint DEFAULT 0 NOT NULL,
	"team_active" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "member_performance_member_id_month_pk" PRIMARY KEY("member_id","month")
);
--> statement-breakpoint
CREATE TABLE "performance_months" (
	"month" date PRIMARY KEY NOT NULL,
	"closed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "member_performance_team_rank_idx" ON "member_performance" USING btree ("month",("team_settled" - "team_refunded") desc);