CREATE TABLE "leaderboard_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"cadence" text NOT NULL,
	"weekday" integer DEFAULT 1 NOT NULL,
	"time_of_day" text NOT NULL,
	"time_zone" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scheduled_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_key" text NOT NULL,
	"job" text NOT NULL,
	"team_id" text,
	"slot_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"message_ts" text,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "leaderboard_schedules" ADD CONSTRAINT "leaderboard_schedules_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "leaderboard_schedules_team_channel_uq" ON "leaderboard_schedules" USING btree ("team_id","channel_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scheduled_runs_run_key_uq" ON "scheduled_runs" USING btree ("run_key");--> statement-breakpoint
CREATE INDEX "scheduled_runs_job_slot_idx" ON "scheduled_runs" USING btree ("job","slot_at");