ALTER TABLE "member_tree" ADD COLUMN "level_id" bigint;--> statement-breakpoint
ALTER TABLE "member_tree" ADD COLUMN "status_active" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "member_tree" ADD COLUMN "onboarded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The member's own facts on its tree row (see referrals.schema.ts). Each
-- source table's trigger writes only its own column, from its own new row:
-- two transactions changing a member's status and its onboarding state at
-- once each write their own column, so neither can overwrite the other's
-- change with a stale reading.
CREATE FUNCTION member_tree_facts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.level_id := (SELECT level_id FROM member_levels WHERE member_id = NEW.member_id);
  NEW.status_active := coalesce((SELECT status = 'active' FROM members WHERE id = NEW.member_id), false);
  NEW.onboarded := coalesce((SELECT state = 'active' FROM onboarding_applications WHERE member_id = NEW.member_id), false);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER member_tree_facts BEFORE INSERT ON member_tree FOR EACH ROW EXECUTE FUNCTION member_tree_facts_on_insert();
--> statement-breakpoint
CREATE FUNCTION member_levels_to_tree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE member_tree SET level_id = NULL WHERE member_id = OLD.member_id AND level_id IS NOT NULL;
  ELSE
    UPDATE member_tree SET level_id = NEW.level_id WHERE member_id = NEW.member_id AND level_id IS DISTINCT FROM NEW.level_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER member_levels_tree_facts AFTER INSERT OR UPDATE OF level_id OR DELETE ON member_levels FOR EACH ROW EXECUTE FUNCTION member_levels_to_tree();
--> statement-breakpoint
CREATE FUNCTION members_status_to_tree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE member_tree SET status_active = (NEW.status = 'active') WHERE member_id = NEW.id AND status_active IS DISTINCT FROM (NEW.status = 'active');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER members_status_tree_facts AFTER UPDATE OF status ON members FOR EACH ROW EXECUTE FUNCTION members_status_to_tree();
--> statement-breakpoint
CREATE FUNCTION onboarding_state_to_tree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE member_tree SET onboarded = false WHERE member_id = OLD.member_id AND onboarded;
  ELSE
    UPDATE member_tree SET onboarded = (NEW.state = 'active') WHERE member_id = NEW.member_id AND onboarded IS DISTINCT FROM (NEW.state = 'active');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER onboarding_state_tree_facts AFTER INSERT OR UPDATE OF state OR DELETE ON onboarding_applications FOR EACH ROW EXECUTE FUNCTION onboarding_state_to_tree();
--> statement-breakpoint
UPDATE member_tree t SET
  level_id = (SELECT level_id FROM member_levels WHERE member_id = t.member_id),
  status_active = coalesce((SELECT status = 'active' FROM members WHERE id = t.member_id), false),
  onboarded = coalesce((SELECT state = 'active' FROM onboarding_applications WHERE member_id = t.member_id), false);
