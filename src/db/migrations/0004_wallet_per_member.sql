-- Every member has exactly one wallet row from the moment it exists, so the
-- ledger only ever UPDATEs wallets. (An INSERT … ON CONFLICT DO UPDATE would
-- check the proposed row's CHECK constraints before finding the conflict, and
-- refuse a legitimate negative frozen delta.)
CREATE FUNCTION members_create_wallet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO wallets (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER members_wallet AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION members_create_wallet();
--> statement-breakpoint
INSERT INTO wallets (member_id) SELECT id FROM members ON CONFLICT DO NOTHING;
