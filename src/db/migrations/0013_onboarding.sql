CREATE TABLE "onboarding_applications" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"business_name" text,
	"licence_no" text,
	"legal_name" text,
	"id_number_enc" text,
	"id_number_digest" text,
	"id_number_tail" text,
	"contact_phone" text,
	"address" text,
	"category" text,
	"bank_account_name" text,
	"bank_name" text,
	"bank_account_enc" text,
	"bank_account_tail" text,
	"files" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"risk_flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"revision" integer DEFAULT 0 NOT NULL,
	"submitted_at" timestamp with time zone,
	"submit_ip" text,
	"reviewed_at" timestamp with time zone,
	"reviewed_by" bigint,
	"review_reason" text,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "onboarding_applications_state_check" CHECK ("onboarding_applications"."state" in ('draft', 'submitted', 'approved', 'rejected', 'fee_pending', 'active'))
);
--> statement-breakpoint
CREATE TABLE "onboarding_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "onboarding_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" bigint,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onboarding_files" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "onboarding_files_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onboarding_revisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "onboarding_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"risk_flags" jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decision" text,
	"decided_by" bigint,
	"decision_reason" text,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "risk_blacklist" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "risk_blacklist_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"digest" text NOT NULL,
	"display" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "risk_blacklist_kind_check" CHECK ("risk_blacklist"."kind" in ('phone', 'id_number', 'licence', 'ip'))
);
--> statement-breakpoint
ALTER TABLE "onboarding_applications" ADD CONSTRAINT "onboarding_applications_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_events" ADD CONSTRAINT "onboarding_events_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_files" ADD CONSTRAINT "onboarding_files_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_revisions" ADD CONSTRAINT "onboarding_revisions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "onboarding_applications_state_idx" ON "onboarding_applications" USING btree ("state","submitted_at");--> statement-breakpoint
CREATE INDEX "onboarding_applications_licence_idx" ON "onboarding_applications" USING btree ("licence_no");--> statement-breakpoint
CREATE INDEX "onboarding_applications_id_digest_idx" ON "onboarding_applications" USING btree ("id_number_digest");--> statement-breakpoint
CREATE INDEX "onboarding_events_member_idx" ON "onboarding_events" USING btree ("member_id","id");--> statement-breakpoint
CREATE INDEX "onboarding_files_member_idx" ON "onboarding_files" USING btree ("member_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_revisions_member_revision" ON "onboarding_revisions" USING btree ("member_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_blacklist_kind_digest" ON "risk_blacklist" USING btree ("kind","digest");--> statement-breakpoint
CREATE INDEX "members_registration_device_idx" ON "members" USING btree ("registration_device_id","created_at");