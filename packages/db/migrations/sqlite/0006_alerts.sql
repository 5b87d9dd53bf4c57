CREATE TABLE `alert_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule_id` text NOT NULL,
	`event` text NOT NULL,
	`previous_state` text NOT NULL,
	`failures` integer NOT NULL,
	`run_id` text,
	`overdue_run_at` integer,
	`created_at` integer NOT NULL,
	`delivery` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`delivered_at` integer,
	`last_error` text,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_notifications_pending_idx` ON `alert_notifications` (`next_attempt_at`) WHERE delivery = 'PENDING';--> statement-breakpoint
CREATE INDEX `alert_notifications_schedule_idx` ON `alert_notifications` (`schedule_id`,`id`);--> statement-breakpoint
ALTER TABLE `schedules` ADD `alert` text;--> statement-breakpoint
ALTER TABLE `schedules` ADD `alert_state` text DEFAULT 'OK' NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `alert_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `alert_changed_at` integer;