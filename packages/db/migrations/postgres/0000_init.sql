CREATE TABLE "instances" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"heartbeat_at" timestamp (3) with time zone NOT NULL,
	"lease_expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"schedule_id" text COLLATE "C" NOT NULL,
	"target_id" text COLLATE "C" NOT NULL,
	"scheduled_for" timestamp (3) with time zone NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone,
	"status" text NOT NULL,
	"status_code" integer,
	"latency_ms" double precision,
	"response_size" bigint,
	"response_headers" json,
	"response_body" text,
	"truncated" boolean NOT NULL,
	"error_type" text,
	"error_message" text,
	"request" json NOT NULL,
	"catch_up" boolean NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	"missed_count" integer NOT NULL,
	"instance_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"target_id" text COLLATE "C" NOT NULL,
	"name" text NOT NULL,
	"schedule_type" text NOT NULL,
	"schedule_config" json NOT NULL,
	"status" text NOT NULL,
	"next_run_at" timestamp (3) with time zone,
	"run_count" integer NOT NULL,
	"last_run_at" timestamp (3) with time zone,
	"timezone" text NOT NULL,
	"retry_policy" json NOT NULL,
	"overlap_policy" text NOT NULL,
	"misfire_policy" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"method" text NOT NULL,
	"headers" json NOT NULL,
	"body_template" text,
	"timeout_ms" integer NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_target_id_targets_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."targets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "runs_slot_unique" ON "runs" USING btree ("schedule_id","scheduled_for","attempt");--> statement-breakpoint
CREATE INDEX "runs_schedule_idx" ON "runs" USING btree ("schedule_id","id");--> statement-breakpoint
CREATE INDEX "runs_target_idx" ON "runs" USING btree ("target_id","id");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "runs_finished_started_idx" ON "runs" USING btree ("started_at") WHERE status <> 'RUNNING';--> statement-breakpoint
CREATE INDEX "runs_running_schedule_idx" ON "runs" USING btree ("schedule_id") WHERE status = 'RUNNING';--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE status = 'ACTIVE';--> statement-breakpoint
CREATE INDEX "schedules_target_idx" ON "schedules" USING btree ("target_id","id");