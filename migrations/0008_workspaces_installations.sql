CREATE TABLE "slack_installations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enterprise_id" text DEFAULT '' NOT NULL,
	"team_id" text DEFAULT '' NOT NULL,
	"is_enterprise_install" boolean DEFAULT false NOT NULL,
	"team_name" text,
	"enterprise_name" text,
	"app_id" text,
	"bot_id" text,
	"bot_user_id" text,
	"bot_scopes" text,
	"bot_token" text NOT NULL,
	"bot_refresh_token" text,
	"bot_token_expires_at" timestamp with time zone,
	"installer_user_id" text,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "enterprise_id" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "uninstalled_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_installations_key" ON "slack_installations" USING btree ("enterprise_id","team_id");--> statement-breakpoint
CREATE INDEX "slack_installations_team" ON "slack_installations" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "scheduled_runs_team_idx" ON "scheduled_runs" USING btree ("team_id");