CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`lease_expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `runs_running_schedule_idx` ON `runs` (`schedule_id`) WHERE status = 'RUNNING';