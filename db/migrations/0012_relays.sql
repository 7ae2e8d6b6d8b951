CREATE TYPE "public"."relay_order_kind" AS ENUM('delete', 'prefetch');--> statement-breakpoint
CREATE TYPE "public"."relay_order_state" AS ENUM('requested', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "relay_contents" (
	"relay_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"last_used_at" timestamp with time zone,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "relay_contents_relay_id_sha256_pk" PRIMARY KEY("relay_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "relay_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"relay_id" uuid NOT NULL,
	"kind" "relay_order_kind" NOT NULL,
	"sha256" text NOT NULL,
	"package_id" uuid,
	"package_label" text DEFAULT '' NOT NULL,
	"batch_id" uuid,
	"state" "relay_order_state" DEFAULT 'requested' NOT NULL,
	"error" text,
	"requested_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "relays" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"url" text NOT NULL,
	"parent_id" uuid,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_heartbeat_at" timestamp with time zone,
	"disk_free_bytes" bigint,
	"cache_used_bytes" bigint,
	"cache_limit_bytes" bigint,
	"health" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "machine_groups" ADD COLUMN "relay_id" uuid;--> statement-breakpoint
ALTER TABLE "machines" ADD COLUMN "relay_id" uuid;--> statement-breakpoint
ALTER TABLE "relay_contents" ADD CONSTRAINT "relay_contents_relay_id_relays_id_fk" FOREIGN KEY ("relay_id") REFERENCES "public"."relays"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_orders" ADD CONSTRAINT "relay_orders_relay_id_relays_id_fk" FOREIGN KEY ("relay_id") REFERENCES "public"."relays"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_orders" ADD CONSTRAINT "relay_orders_package_id_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."packages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relay_orders" ADD CONSTRAINT "relay_orders_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relays" ADD CONSTRAINT "relays_parent_id_relays_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."relays"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "relays" ADD CONSTRAINT "relays_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "relay_contents_sha256_idx" ON "relay_contents" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "relay_orders_relay_id_state_idx" ON "relay_orders" USING btree ("relay_id","state");--> statement-breakpoint
CREATE INDEX "relay_orders_package_id_idx" ON "relay_orders" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "relay_orders_requested_by_idx" ON "relay_orders" USING btree ("requested_by");--> statement-breakpoint
CREATE INDEX "relay_orders_batch_id_idx" ON "relay_orders" USING btree ("batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "relays_name_idx" ON "relays" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "relays_token_hash_idx" ON "relays" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "relays_parent_id_idx" ON "relays" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "relays_created_by_idx" ON "relays" USING btree ("created_by");--> statement-breakpoint
ALTER TABLE "machine_groups" ADD CONSTRAINT "machine_groups_relay_id_relays_id_fk" FOREIGN KEY ("relay_id") REFERENCES "public"."relays"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_relay_id_relays_id_fk" FOREIGN KEY ("relay_id") REFERENCES "public"."relays"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "machine_groups_relay_id_idx" ON "machine_groups" USING btree ("relay_id");--> statement-breakpoint
CREATE INDEX "machines_relay_id_idx" ON "machines" USING btree ("relay_id");