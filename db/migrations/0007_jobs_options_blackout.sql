ALTER TABLE "jobs" DROP CONSTRAINT "jobs_package_id_packages_id_fk";
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "package_label" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "max_concurrent" integer;--> statement-breakpoint
ALTER TABLE "machine_groups" ADD COLUMN "blackout_dates" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_package_id_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."packages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "machines_hostname_idx" ON "machines" USING btree ("hostname");--> statement-breakpoint
-- Jobs created before the label existed get it from their package.
UPDATE "jobs" SET "package_label" = c."name" || '/' || p."package_id" || ' ' || p."version" || ' (generation ' || p."generation" || ')' FROM "packages" p JOIN "cabinets" c ON c."id" = p."cabinet_id" WHERE p."id" = "jobs"."package_id";--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_max_concurrent_positive" CHECK ("max_concurrent" IS NULL OR "max_concurrent" > 0);--> statement-breakpoint
-- A fan-out bumps plan_version on every destination; room on each page lets PostgreSQL update
-- the row in place (HOT: no index entries written), which is most of a large fan-out's cost.
ALTER TABLE "machines" SET (fillfactor = 70);
