CREATE TABLE "level_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "level_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"from_level_id" bigint,
	"to_level_id" bigint NOT NULL,
	"cause" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" bigint,
	"reason" text,
	"order_id" bigint,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "level_history_cause_check" CHECK ("level_history"."cause" in ('purchase', 'performance', 'downgrade', 'staff'))
);
--> statement-breakpoint
CREATE TABLE "level_job_runs" (
	"job" text NOT NULL,
	"period" text NOT NULL,
	"result" jsonb,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "level_job_runs_job_period_pk" PRIMARY KEY("job","period")
);
--> statement-breakpoint
CREATE TABLE "level_ladder_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"levels" jsonb NOT NULL,
	"saved_by_kind" text NOT NULL,
	"saved_by" bigint,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "levels" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "levels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"rank" integer NOT NULL,
	"price_fen" bigint DEFAULT 0 NOT NULL,
	"rate_profit_share_ppm" integer DEFAULT 0 NOT NULL,
	"upgrade" jsonb NOT NULL,
	"keep" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "levels_price_check" CHECK ("levels"."price_fen" >= 0),
	CONSTRAINT "levels_rate_check" CHECK ("levels"."rate_profit_share_ppm" between 0 and 1000000)
);
--> statement-breakpoint
CREATE TABLE "member_levels" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"level_id" bigint NOT NULL,
	"previous_level_id" bigint,
	"cause" text NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"purchased_level_id" bigint,
	"purchased_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "level_history" ADD CONSTRAINT "level_history_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "level_history" ADD CONSTRAINT "level_history_from_level_id_levels_id_fk" FOREIGN KEY ("from_level_id") REFERENCES "public"."levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "level_history" ADD CONSTRAINT "level_history_to_level_id_levels_id_fk" FOREIGN KEY ("to_level_id") REFERENCES "public"."levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_levels" ADD CONSTRAINT "member_levels_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_levels" ADD CONSTRAINT "member_levels_level_id_levels_id_fk" FOREIGN KEY ("level_id") REFERENCES "public"."levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_levels" ADD CONSTRAINT "member_levels_previous_level_id_levels_id_fk" FOREIGN KEY ("previous_level_id") REFERENCES "public"."levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_levels" ADD CONSTRAINT "member_levels_purchased_level_id_levels_id_fk" FOREIGN KEY ("purchased_level_id") REFERENCES "public"."levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "level_history_member_idx" ON "level_history" USING btree ("member_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "levels_rank_key" ON "levels" USING btree ("rank") WHERE "levels"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "member_levels_level_idx" ON "member_levels" USING btree ("level_id");--> statement-breakpoint
-- The default ladder (editable): 普通商户 is where every member starts; the others are for sale and, higher up, reachable by team performance.
INSERT INTO "levels" ("name", "rank", "price_fen", "rate_profit_share_ppm", "upgrade", "keep") VALUES
  ('普通商户', 1, 0, 0, '{"mode":"all","conditions":[]}', '{"mode":"all","conditions":[]}'),
  ('银牌', 2, 99900, 20000,
    '{"mode":"any","conditions":[{"kind":"personal_performance","period":"this_month","minFen":"1000000"},{"kind":"direct_members","min":5,"minLevelRank":null}]}',
    '{"mode":"any","conditions":[{"kind":"personal_performance","period":"this_month","minFen":"200000"},{"kind":"direct_members","min":3,"minLevelRank":null}]}'),
  ('金牌', 3, 299900, 40000,
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"this_month","minFen":"10000000","includeSelf":true},{"kind":"direct_members","min":3,"minLevelRank":2}]}',
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"this_month","minFen":"2000000","includeSelf":true}]}'),
  ('市级代理', 4, 999900, 60000,
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"lifetime","minFen":"100000000","includeSelf":true},{"kind":"direct_members","min":3,"minLevelRank":3}]}',
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"this_month","minFen":"10000000","includeSelf":true}]}'),
  ('省级代理', 5, 2999900, 80000,
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"lifetime","minFen":"500000000","includeSelf":true},{"kind":"direct_members","min":3,"minLevelRank":4}]}',
    '{"mode":"all","conditions":[{"kind":"team_performance","period":"this_month","minFen":"50000000","includeSelf":true}]}');
--> statement-breakpoint
INSERT INTO "level_ladder_versions" ("version", "levels", "saved_by_kind")
SELECT 1, jsonb_agg(jsonb_build_object('id', id, 'name', name, 'rank', rank, 'priceFen', price_fen::text, 'rateProfitSharePpm', rate_profit_share_ppm,
  'upgrade', upgrade, 'keep', keep, 'enabled', enabled) ORDER BY rank), 'system'
FROM "levels";
