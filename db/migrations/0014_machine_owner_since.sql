ALTER TABLE "machines" ADD COLUMN "owner_since" timestamp with time zone;--> statement-breakpoint
-- Machines owned before the column existed: their owner counts from enrolment, as before.
UPDATE "machines" SET "owner_since" = "enrolled_at" WHERE "owner_since" IS NULL AND "owner_id" IS NOT NULL;
