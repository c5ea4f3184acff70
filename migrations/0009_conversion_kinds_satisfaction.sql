DROP INDEX "deals_team_closed_live_idx";--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "satisfaction_scale" text DEFAULT 'csat5' NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "conversion_stages" jsonb;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "account_key" text GENERATED ALWAYS AS (nullif(regexp_replace(lower("account"), '\W+|_+', '', 'g'), '')) STORED;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "account_key" text GENERATED ALWAYS AS (nullif(regexp_replace(lower("account"), '\W+|_+', '', 'g'), '')) STORED;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "kind" text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "satisfaction" smallint;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "satisfaction_scale" text;--> statement-breakpoint
CREATE INDEX "activities_team_account_key_idx" ON "activities" USING btree ("team_id","account_key","occurred_at") WHERE deleted_at is null and account_key is not null;--> statement-breakpoint
CREATE INDEX "deals_team_account_key_idx" ON "deals" USING btree ("team_id","account_key") WHERE deleted_at is null and account_key is not null;--> statement-breakpoint
CREATE INDEX "deals_team_closed_live_idx" ON "deals" USING btree ("team_id","closed_at","user_id","status","currency","amount_minor","kind","satisfaction_scale","satisfaction","account_key") WHERE deleted_at is null;