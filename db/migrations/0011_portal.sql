ALTER TYPE "public"."assignment_state" ADD VALUE 'declined';--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "deferrals" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "run_now" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "deferral_limit" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "allow_install_now" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "machine_groups" ADD COLUMN "self_service" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "machine_groups" ADD COLUMN "window_envelope" jsonb;--> statement-breakpoint
ALTER TABLE "machine_groups" ADD COLUMN "min_open_minutes" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "calendar_token_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_calendar_token_hash_idx" ON "users" USING btree ("calendar_token_hash");