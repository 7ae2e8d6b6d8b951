CREATE TYPE "public"."assignment_state" AS ENUM('pending', 'offered', 'held', 'downloading', 'ready', 'installing', 'installed', 'failed', 'skipped', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."job_kind" AS ENUM('install', 'offer', 'uninstall', 'inventory');--> statement-breakpoint
CREATE TYPE "public"."job_state" AS ENUM('active', 'suspended', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."job_timing" AS ENUM('asap', 'at', 'windows');--> statement-breakpoint
CREATE TABLE "assignment_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"assignment_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"state" "assignment_state" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"exit_code" integer,
	"reason" text,
	"output" text,
	"source" text,
	"actor_label" text
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"machine_id" uuid NOT NULL,
	"state" "assignment_state" NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"exit_code" integer,
	"reason" text,
	"output" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "job_kind" NOT NULL,
	"package_id" uuid,
	"timing" "job_timing" NOT NULL,
	"start_at" timestamp with time zone,
	"not_before" timestamp with time zone,
	"deadline" timestamp with time zone,
	"load_spreading" boolean DEFAULT false NOT NULL,
	"state" "job_state" DEFAULT 'active' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "windows" jsonb;--> statement-breakpoint
ALTER TABLE "assignment_events" ADD CONSTRAINT "assignment_events_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_package_id_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."packages"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assignment_events_key_idx" ON "assignment_events" USING btree ("assignment_id","attempt","state");--> statement-breakpoint
CREATE INDEX "assignment_events_received_at_idx" ON "assignment_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_job_id_machine_id_idx" ON "assignments" USING btree ("job_id","machine_id");--> statement-breakpoint
CREATE INDEX "assignments_machine_id_idx" ON "assignments" USING btree ("machine_id");--> statement-breakpoint
CREATE INDEX "assignments_job_id_state_idx" ON "assignments" USING btree ("job_id","state");--> statement-breakpoint
CREATE INDEX "jobs_package_id_idx" ON "jobs" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "jobs_created_by_idx" ON "jobs" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "jobs_created_at_idx" ON "jobs" USING btree ("created_at");