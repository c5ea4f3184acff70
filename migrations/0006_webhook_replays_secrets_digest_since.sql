CREATE TABLE "webhook_receipts" (
	"team_id" text NOT NULL,
	"signature" text NOT NULL,
	"deal_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_receipts_team_id_signature_pk" PRIMARY KEY("team_id","signature")
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "digest_default_since" timestamp with time zone;--> statement-breakpoint
-- Until now the default digest's start was read from updated_at: the best value there is for a weekly default.
UPDATE "workspaces" SET "digest_default_since" = "updated_at" WHERE "digest_default" = 'weekly';--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "webhook_timestamp" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_receipts_expires_idx" ON "webhook_receipts" USING btree ("expires_at");