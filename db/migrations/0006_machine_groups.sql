CREATE TABLE "group_members" (
	"group_id" uuid NOT NULL,
	"machine_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_members_group_id_machine_id_pk" PRIMARY KEY("group_id","machine_id")
);
--> statement-breakpoint
CREATE TABLE "job_groups" (
	"job_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	CONSTRAINT "job_groups_job_id_group_id_pk" PRIMARY KEY("job_id","group_id")
);
--> statement-breakpoint
CREATE TABLE "machine_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"windows" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_machine_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."machine_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_groups" ADD CONSTRAINT "job_groups_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_groups" ADD CONSTRAINT "job_groups_group_id_machine_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."machine_groups"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_groups" ADD CONSTRAINT "machine_groups_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_members_machine_id_idx" ON "group_members" USING btree ("machine_id");--> statement-breakpoint
CREATE INDEX "job_groups_group_id_idx" ON "job_groups" USING btree ("group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "machine_groups_name_idx" ON "machine_groups" USING btree ("name");--> statement-breakpoint
CREATE INDEX "machine_groups_created_by_idx" ON "machine_groups" USING btree ("created_by");