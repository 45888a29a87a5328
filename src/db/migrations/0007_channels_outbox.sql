CREATE TABLE "outbox_cursors" (
	"consumer" text PRIMARY KEY NOT NULL,
	"last_xid" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"last_id" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"type" text NOT NULL,
	"subject" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_merchants" (
	"channel_id" text NOT NULL,
	"merchant_ref" text NOT NULL,
	"member_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_transactions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "channel_transactions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel_id" text NOT NULL,
	"channel_txn_id" text NOT NULL,
	"merchant_ref" text NOT NULL,
	"member_id" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"original_txn_id" text,
	"state" text NOT NULL,
	"fingerprint" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_transactions_amount_check" CHECK ("channel_transactions"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets_enc" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channels_kind_check" CHECK ("channels"."kind" in ('push', 'sandbox', 'wechatpay', 'alipay')),
	CONSTRAINT "channels_id_check" CHECK ("channels"."id" ~ '^[a-z][a-z0-9_-]{1,31}$')
);
--> statement-breakpoint
ALTER TABLE "channel_merchants" ADD CONSTRAINT "channel_merchants_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_merchants" ADD CONSTRAINT "channel_merchants_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbox_events_order_idx" ON "outbox_events" USING btree ("xid","id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_merchants_key" ON "channel_merchants" USING btree ("channel_id","merchant_ref");--> statement-breakpoint
CREATE INDEX "channel_merchants_member_idx" ON "channel_merchants" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_transactions_key" ON "channel_transactions" USING btree ("channel_id","channel_txn_id");--> statement-breakpoint
CREATE INDEX "channel_transactions_held_idx" ON "channel_transactions" USING btree ("channel_id","original_txn_id") WHERE "channel_transactions"."state" = 'held';--> statement-breakpoint
CREATE INDEX "channel_transactions_member_idx" ON "channel_transactions" USING btree ("member_id","occurred_at");