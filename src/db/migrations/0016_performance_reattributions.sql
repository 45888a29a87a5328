CREATE TABLE "performance_reattributions" (
	"transaction_id" bigint PRIMARY KEY NOT NULL,
	"month" date NOT NULL,
	"occurred_month" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
