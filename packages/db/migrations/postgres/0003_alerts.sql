CREATE TABLE "alert_notifications" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"schedule_id" text COLLATE "C" NOT NULL,
	"event" text NOT NULL,
	"previous_state" text NOT NULL,
	"failures" integer NOT NULL,
	"run_id" text COLLATE "C",
	"overdue_run_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"delivery" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"lease_until" timestamp (3) with time zone,
	"delivered_at" timestamp (3) with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "alert" json;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "alert_state" text DEFAULT 'OK' NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "alert_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "alert_changed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "alert_notifications" ADD CONSTRAINT "alert_notifications_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_notifications_pending_idx" ON "alert_notifications" USING btree ("next_attempt_at") WHERE delivery = 'PENDING';--> statement-breakpoint
CREATE INDEX "alert_notifications_schedule_idx" ON "alert_notifications" USING btree ("schedule_id","id");