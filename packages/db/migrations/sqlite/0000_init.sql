CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule_id` text NOT NULL,
	`target_id` text NOT NULL,
	`scheduled_for` integer NOT NULL,
	`attempt` integer NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`status_code` integer,
	`latency_ms` real,
	`response_size` integer,
	`response_headers` text,
	`response_body` text,
	`truncated` integer NOT NULL,
	`error_type` text,
	`error_message` text,
	`request` text NOT NULL,
	`catch_up` integer NOT NULL,
	`missed_count` integer NOT NULL,
	`instance_id` text NOT NULL,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `runs_slot_unique` ON `runs` (`schedule_id`,`scheduled_for`,`attempt`);--> statement-breakpoint
CREATE INDEX `runs_schedule_idx` ON `runs` (`schedule_id`,`id`);--> statement-breakpoint
CREATE INDEX `runs_target_idx` ON `runs` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`target_id` text NOT NULL,
	`name` text NOT NULL,
	`schedule_type` text NOT NULL,
	`schedule_config` text NOT NULL,
	`status` text NOT NULL,
	`next_run_at` integer,
	`run_count` integer NOT NULL,
	`last_run_at` integer,
	`timezone` text NOT NULL,
	`retry_policy` text NOT NULL,
	`overlap_policy` text NOT NULL,
	`misfire_policy` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schedules_due_idx` ON `schedules` (`next_run_at`) WHERE status = 'ACTIVE';--> statement-breakpoint
CREATE INDEX `schedules_target_idx` ON `schedules` (`target_id`,`id`);--> statement-breakpoint
CREATE TABLE `targets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`method` text NOT NULL,
	`headers` text NOT NULL,
	`body_template` text,
	`timeout_ms` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
