CREATE TABLE "binding_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "binding_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"from_parent_id" bigint,
	"to_parent_id" bigint,
	"via" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" bigint,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invite_codes" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_tree" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"parent_id" bigint,
	"depth" integer NOT NULL,
	"path" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invite_codes" ADD CONSTRAINT "invite_codes_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_tree" ADD CONSTRAINT "member_tree_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "binding_history_member_idx" ON "binding_history" USING btree ("member_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "invite_codes_code_key" ON "invite_codes" USING btree ("code");--> statement-breakpoint
CREATE INDEX "member_tree_parent_idx" ON "member_tree" USING btree ("parent_id","member_id");--> statement-breakpoint
CREATE INDEX "member_tree_path_gin" ON "member_tree" USING gin ("path");--> statement-breakpoint
-- Every member has a place in the tree from the moment it exists (a root until bound).
CREATE FUNCTION members_create_tree_node() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO member_tree (member_id, parent_id, depth, path) VALUES (NEW.id, NULL, 0, '{}') ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER members_tree_node AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION members_create_tree_node();
--> statement-breakpoint
INSERT INTO member_tree (member_id, parent_id, depth, path) SELECT id, NULL, 0, '{}' FROM members ON CONFLICT DO NOTHING;
