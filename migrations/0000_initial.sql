CREATE TABLE "users" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"display_name" text NOT NULL,
	"real_name" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"is_admin" boolean DEFAULT false NOT NULL,
	"is_owner" boolean DEFAULT false NOT NULL,
	"is_bot" boolean DEFAULT false NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"team_id" text PRIMARY KEY NOT NULL,
	"name" text,
	"currency" text DEFAULT 'USD' NOT NULL,
	"backdate_days" integer DEFAULT 30 NOT NULL,
	"default_time_zone" text DEFAULT 'UTC' NOT NULL,
	"week_starts_on" integer DEFAULT 1 NOT NULL,
	"fiscal_year_start_month" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"type_key" text NOT NULL,
	"quantity" integer DEFAULT 1 NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"account" text,
	"contact" text,
	"outcome" text,
	"duration_minutes" integer,
	"notes" text,
	"source" text NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "activity_types" (
	"id" serial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"plural" text NOT NULL,
	"outcomes" text[] DEFAULT '{}'::text[] NOT NULL,
	"emoji" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_types" ADD CONSTRAINT "activity_types_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activities_team_idempotency_uq" ON "activities" USING btree ("team_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "activities_team_occurred_idx" ON "activities" USING btree ("team_id","occurred_at");--> statement-breakpoint
CREATE INDEX "activities_team_user_occurred_idx" ON "activities" USING btree ("team_id","user_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_types_team_key_uq" ON "activity_types" USING btree ("team_id","key");