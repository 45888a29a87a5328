ALTER TABLE "member_tree" ADD COLUMN "descendants" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "member_tree" ADD COLUMN "direct_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Counts for trees that exist already.
UPDATE member_tree t SET descendants = c.n FROM (SELECT unnest(path) AS a, count(*) AS n FROM member_tree GROUP BY 1) c WHERE c.a = t.member_id;
--> statement-breakpoint
UPDATE member_tree t SET direct_count = c.n FROM (SELECT parent_id AS p, count(*) AS n FROM member_tree WHERE parent_id IS NOT NULL GROUP BY 1) c WHERE c.p = t.member_id;
