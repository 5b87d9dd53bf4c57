import { ALERT_DELIVERIES, ALERT_EVENTS, ALERT_FORMATS, ALERT_STATES, JITTER_MODES, MISFIRE_POLICIES, OVERLAP_POLICIES, SCHEDULE_STATUSES, SCHEDULE_TYPES } from '@api-scheduler/core';
import type { Schedule } from '@api-scheduler/core';
import { z } from 'zod';

const intervalConfigOutput = z.object({
  interval_seconds: z.number().int(),
  start_time: z.string().describe('Anchor of the grid, ISO 8601 UTC'),
});

const windowConfigOutput = z.object({
  start_time: z.string().describe('Start of the window, ISO 8601 UTC'),
  end_time: z.string().describe('End of the window (inclusive), ISO 8601 UTC'),
  interval_seconds: z.number().int(),
  max_runs: z.number().int().nullable(),
});

const cronConfigOutput = z.object({
  expression: z.string().describe('Cron expression: 5 fields, or 6 with seconds first'),
  timezone: z.string().describe('IANA time zone that the expression is read in; always equal to the schedule\'s timezone'),
});

const onceConfigOutput = z.object({
  run_at: z.string().describe('The one planned instant, ISO 8601 UTC'),
});

/** A resolved schedule_config of any type. */
export const scheduleConfigOutput = z
  // z.union returns the first option that parses, and z.object drops unknown
  // keys. So the window shape comes before the interval shape, whose keys are
  // a subset of it, and a window keeps its end_time and max_runs.
  .union([windowConfigOutput, intervalConfigOutput, cronConfigOutput, onceConfigOutput])
  .describe('The config with every time resolved to UTC');

const retryPolicyOutput = z.object({
  max_retries: z.number().int(),
  initial_delay_ms: z.number().int(),
  max_delay_ms: z.number().int(),
  multiplier: z.number(),
  jitter: z.enum(JITTER_MODES),
  retry_non_idempotent_timeouts: z.boolean(),
});

const alertConfigOutput = z.object({
  webhook_url: z.string().describe('Where notifications are POSTed'),
  format: z.enum(ALERT_FORMATS).describe('json: the full event; slack: a Slack incoming-webhook message'),
  after_consecutive_failures: z.number().int().describe('Failed fires in a row that turn the alert FAILING'),
  silence_after_seconds: z.number().int().nullable().describe('How long a planned fire may be overdue before the alert turns SILENT; null never'),
});

export const alertNotificationOutput = z.object({
  id: z.string(),
  schedule_id: z.string(),
  event: z.enum(ALERT_EVENTS),
  previous_state: z.enum(ALERT_STATES),
  failures: z.number().int(),
  run_id: z.string().nullable(),
  overdue_run_at: z.date().nullable(),
  created_at: z.date(),
  delivery: z.enum(ALERT_DELIVERIES),
  attempts: z.number().int(),
  next_attempt_at: z.date(),
  lease_until: z.date().nullable(),
  delivered_at: z.date().nullable(),
  last_error: z.string().nullable(),
});

export const scheduleOutput = z.object({
  id: z.string(),
  schedule_id: z.string(),
  target_id: z.string(),
  name: z.string(),
  schedule_type: z.enum(SCHEDULE_TYPES),
  schedule_config: scheduleConfigOutput,
  status: z.enum(SCHEDULE_STATUSES),
  next_run_at: z.date().nullable().describe('The next planned fire, or null while the schedule is PAUSED or COMPLETED'),
  run_count: z.number().int().describe('Fires so far, retries excluded'),
  last_run_at: z.date().nullable(),
  timezone: z.string(),
  retry_policy: retryPolicyOutput,
  overlap_policy: z.enum(OVERLAP_POLICIES),
  misfire_policy: z.enum(MISFIRE_POLICIES),
  alert: alertConfigOutput.nullable(),
  alert_state: z.enum(ALERT_STATES).describe('OK, FAILING after the configured failures in a row, or SILENT while a planned fire is overdue'),
  alert_failures: z.number().int().describe('Failed fires in a row, counted while the schedule has an alert'),
  alert_changed_at: z.date().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type ScheduleOutput = z.output<typeof scheduleOutput>;

export function toScheduleOutput(schedule: Schedule): ScheduleOutput {
  return { ...schedule, schedule_id: schedule.id };
}
