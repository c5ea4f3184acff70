CREATE TABLE "deal_celebrations" (
	"deal_id" uuid PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"message_ts" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint,
	"currency" text,
	"closed_at" timestamp with time zone NOT NULL,
	"account" text,
	"notes" text,
	"source" text NOT NULL,
	"external_id" text,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_secrets" (
	"team_id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "celebrations_channel" text;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "deal_celebrations" ADD CONSTRAINT "deal_celebrations_deal_id_deals_id_fk" FOREIGN KEY ("deal_id") REFERENCES "public"."deals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_team_id_workspaces_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."workspaces"("team_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deals_team_external_uq" ON "deals" USING btree ("team_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deals_team_idempotency_uq" ON "deals" USING btree ("team_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "deals_team_closed_idx" ON "deals" USING btree ("team_id","closed_at");--> statement-breakpoint
CREATE INDEX "deals_team_user_closed_idx" ON "deals" USING btree ("team_id","user_id","closed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "activities_team_external_uq" ON "activities" USING btree ("team_id","external_id");