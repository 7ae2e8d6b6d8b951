CREATE TABLE "enrolment_secrets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"max_uses" integer,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "machines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hostname" text NOT NULL,
	"token_hash" text NOT NULL,
	"enrolment_secret_id" uuid,
	"owner_id" uuid,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"plan_version" bigint DEFAULT 1 NOT NULL,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "enrolment_secrets" ADD CONSTRAINT "enrolment_secrets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_enrolment_secret_id_enrolment_secrets_id_fk" FOREIGN KEY ("enrolment_secret_id") REFERENCES "public"."enrolment_secrets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "enrolment_secrets_secret_hash_idx" ON "enrolment_secrets" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "enrolment_secrets_created_by_idx" ON "enrolment_secrets" USING btree ("created_by");--> statement-breakpoint
CREATE UNIQUE INDEX "machines_token_hash_idx" ON "machines" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "machines_enrolment_secret_id_idx" ON "machines" USING btree ("enrolment_secret_id");--> statement-breakpoint
CREATE INDEX "machines_owner_id_idx" ON "machines" USING btree ("owner_id");