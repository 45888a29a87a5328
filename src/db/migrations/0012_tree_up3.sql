ALTER TABLE "member_tree" ADD COLUMN "up3" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
UPDATE member_tree SET up3 = path[greatest(1, depth - 2):depth] WHERE depth > 0;
