import { z } from 'zod';

import { JITTER_MODES, MISFIRE_POLICIES, OVERLAP_POLICIES, SCHEDULE_STATUSES, SCHEDULE_TYPES } from './enums.js';
import type { MisfirePolicy, OverlapPolicy, ScheduleStatus, ScheduleType } from './enums.js';
import { LIMITS } from './limits.js';

export const retryPolicySchema = z
  .strictObject({
    max_retries: z.number().int().min(0).max(10).default(3),
    initial_delay_ms: z.number().int().min(0).max(3_600_000).default(1_000),
    max_delay_ms: z.number().int().min(0).max(86_400_000).default(60_000),
    multiplier: z.number().min(1).max(10).default(2),
    jitter: z.enum(JITTER_MODES).default('full'),
    retry_non_idempotent_timeouts: z.boolean().default(false),
  })
  .refine((policy) => policy.max_delay_ms >= policy.initial_delay_ms, {
    message: 'max_delay_ms must be at least initial_delay_ms',
    path: ['max_delay_ms'],
  });
export type RetryPolicy = z.output<typeof retryPolicySchema>;
export const DEFAULT_RETRY_POLICY: RetryPolicy = retryPolicySchema.parse({});

export const intervalSecondsSchema = z
  .number({ error: 'interval_seconds must be a number of seconds' })
  .int('interval_seconds must be a whole number of seconds')
  .min(LIMITS.minIntervalSeconds, `interval_seconds must be at least ${LIMITS.minIntervalSeconds}`)
  .max(LIMITS.maxIntervalSeconds, `interval_seconds must be at most ${LIMITS.maxIntervalSeconds} (366 days)`);

const timeExpressionSchema = z.string({ error: 'Expected a time: ISO 8601, "now" or "now + N minutes"' }).max(64);

/** What clients send for each schedule type, before times are resolved. */
export const scheduleConfigInputs = {
  INTERVAL: z.strictObject({
    interval_seconds: intervalSecondsSchema,
    start_time: timeExpressionSchema.optional(),
  }),
  WINDOW: z.strictObject({
    start_time: timeExpressionSchema,
    end_time: timeExpressionSchema,
    interval_seconds: intervalSecondsSchema,
    max_runs: z.number().int().min(1).max(LIMITS.maxRuns).nullable().optional(),
  }),
  CRON: z.strictObject({
    expression: z.string({ error: 'expression must be a cron expression such as "*/5 * * * *"' }).max(LIMITS.cronExpressionLength),
    timezone: z.string().trim().min(1).max(64).optional(),
  }),
  ONCE: z.strictObject({
    run_at: timeExpressionSchema,
  }),
} as const;

/** Resolved INTERVAL config: fires at start_time + k·interval_seconds for k = 0, 1, 2, … */
export interface IntervalConfig {
  interval_seconds: number;
  start_time: string;
}

/** Resolved WINDOW config: the INTERVAL grid from start_time, inside [start_time, end_time]. */
export interface WindowConfig {
  start_time: string;
  end_time: string;
  interval_seconds: number;
  max_runs: number | null;
}

/** Resolved CRON config. `timezone` is an IANA name and always equals the schedule's timezone. */
export interface CronConfig {
  expression: string;
  timezone: string;
}

/** Resolved ONCE config: one fire at run_at, an ISO 8601 UTC instant ending in Z. */
export interface OnceConfig {
  run_at: string;
}

export type ScheduleConfig = IntervalConfig | WindowConfig | CronConfig | OnceConfig;

export const timezoneSchema = z.string().trim().min(1).max(64);

export const scheduleNameSchema = z.string().trim().min(1, 'Name may not be empty').max(LIMITS.nameLength);

export const createScheduleInput = z.strictObject({
  target_id: z.string().min(1, 'target_id is required'),
  name: scheduleNameSchema.optional(),
  schedule_type: z.enum(SCHEDULE_TYPES, { error: `schedule_type must be one of ${SCHEDULE_TYPES.join(', ')}` }),
  schedule_config: z.record(z.string(), z.unknown(), { error: 'schedule_config must be an object' }),
  timezone: timezoneSchema.default('UTC'),
  status: z.enum(['ACTIVE', 'PAUSED']).default('ACTIVE'),
  retry_policy: retryPolicySchema.default(DEFAULT_RETRY_POLICY),
  overlap_policy: z.enum(OVERLAP_POLICIES).default('skip'),
  misfire_policy: z.enum(MISFIRE_POLICIES).default('fire_once'),
});
export type CreateScheduleInput = z.input<typeof createScheduleInput>;
export type CreateSchedule = z.output<typeof createScheduleInput>;

export const updateScheduleInput = z.strictObject({
  target_id: z.string().min(1).optional(),
  name: scheduleNameSchema.optional(),
  schedule_type: z.enum(SCHEDULE_TYPES).optional(),
  schedule_config: z.record(z.string(), z.unknown()).optional(),
  timezone: timezoneSchema.optional(),
  retry_policy: retryPolicySchema.optional(),
  overlap_policy: z.enum(OVERLAP_POLICIES).optional(),
  misfire_policy: z.enum(MISFIRE_POLICIES).optional(),
});
export type UpdateSchedule = z.output<typeof updateScheduleInput>;

export interface Schedule {
  id: string;
  target_id: string;
  name: string;
  schedule_type: ScheduleType;
  schedule_config: ScheduleConfig;
  status: ScheduleStatus;
  next_run_at: Date | null;
  run_count: number;
  last_run_at: Date | null;
  timezone: string;
  retry_policy: RetryPolicy;
  overlap_policy: OverlapPolicy;
  misfire_policy: MisfirePolicy;
  created_at: Date;
  updated_at: Date;
}

export const scheduleStatusSchema = z.enum(SCHEDULE_STATUSES);
