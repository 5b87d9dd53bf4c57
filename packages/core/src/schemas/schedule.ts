import { z } from 'zod';

import { alertConfigSchema } from './alert.js';
import type { AlertConfig, AlertState } from './alert.js';
import { JITTER_MODES, MISFIRE_POLICIES, OVERLAP_POLICIES, SCHEDULE_STATUSES, SCHEDULE_TYPES } from './enums.js';
import type { MisfirePolicy, OverlapPolicy, ScheduleStatus, ScheduleType } from './enums.js';
import { LIMITS } from './limits.js';
import { numberField } from './number-field.js';
import { rejectProtoKey } from './reserved-keys.js';

const enumMessage = (field: string, values: readonly string[]): string => `${field} must be one of ${values.join(', ')}`;

export const retryPolicySchema = z
  .strictObject({
    max_retries: numberField('max_retries', { min: 0, max: 10 }).default(3),
    initial_delay_ms: numberField('initial_delay_ms', { min: 0, max: 3_600_000, unit: 'milliseconds' }).default(1_000),
    max_delay_ms: numberField('max_delay_ms', { min: 0, max: 86_400_000, unit: 'milliseconds' }).default(60_000),
    multiplier: numberField('multiplier', { min: 1, max: 10, integer: false }).default(2),
    jitter: z.enum(JITTER_MODES, { error: enumMessage('jitter', JITTER_MODES) }).default('full'),
    retry_non_idempotent_timeouts: z.boolean({ error: 'retry_non_idempotent_timeouts must be true or false' }).default(false),
  }, { error: (issue) => (issue.code === 'invalid_type' ? 'retry_policy must be an object' : undefined) })
  .refine((policy) => policy.max_delay_ms >= policy.initial_delay_ms, {
    message: 'max_delay_ms must be at least initial_delay_ms',
    path: ['max_delay_ms'],
  });
export type RetryPolicy = z.output<typeof retryPolicySchema>;
export const DEFAULT_RETRY_POLICY: RetryPolicy = retryPolicySchema.parse({});

export const intervalSecondsSchema = numberField('interval_seconds', {
  min: LIMITS.minIntervalSeconds,
  max: LIMITS.maxIntervalSeconds,
  unit: 'seconds',
  maxNote: '366 days',
});

/** Builds the schema of a time in a schedule_config; parseTimeExpression reads it later. */
const timeExpressionSchema = (field: string) =>
  z
    .string({ error: `${field} must be a time: ISO 8601, "now" or "now + N minutes"` })
    .max(64, `${field} is longer than 64 characters`);

export const timezoneSchema = z
  .string({ error: 'timezone must be a string' })
  .trim()
  .min(1, { message: 'timezone may not be empty', abort: true })
  .max(64, { message: 'timezone is longer than 64 characters', abort: true });

/** What clients send for each schedule type, before times are resolved. */
export const scheduleConfigInputs = {
  INTERVAL: z.strictObject({
    interval_seconds: intervalSecondsSchema,
    start_time: timeExpressionSchema('start_time').optional(),
  }),
  WINDOW: z.strictObject({
    start_time: timeExpressionSchema('start_time'),
    end_time: timeExpressionSchema('end_time'),
    interval_seconds: intervalSecondsSchema,
    max_runs: numberField('max_runs', { min: 1, max: LIMITS.maxRuns }).nullable().optional(),
  }),
  CRON: z.strictObject({
    expression: z
      .string({ error: 'expression must be a cron expression such as "*/5 * * * *"' })
      .max(LIMITS.cronExpressionLength, `expression is longer than ${LIMITS.cronExpressionLength} characters`),
    timezone: timezoneSchema.optional(),
  }),
  ONCE: z.strictObject({
    run_at: timeExpressionSchema('run_at'),
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

export const scheduleNameSchema = z
  .string({ error: 'Name must be a string' })
  .trim()
  .min(1, { message: 'Name may not be empty', abort: true })
  .max(LIMITS.nameLength, { message: `Name is longer than ${LIMITS.nameLength} characters`, abort: true })
  // libSQL cuts text at a NUL character, so a stored name would lose its tail.
  .refine((value) => !value.includes('\0'), { message: 'Name may not contain the NUL character (U+0000)' });

/** schedule_config as clients send it: any object, checked per schedule type by resolveScheduleConfig. */
const scheduleConfigSchema = rejectProtoKey<Record<string, unknown>, z.ZodRecord<z.ZodString, z.ZodUnknown>>(
  z.record(z.string(), z.unknown(), { error: 'schedule_config must be an object' }),
  { code: 'unrecognized_keys' },
);

const scheduleTypeSchema = z.enum(SCHEDULE_TYPES, { error: enumMessage('schedule_type', SCHEDULE_TYPES) });
const overlapPolicySchema = z.enum(OVERLAP_POLICIES, { error: enumMessage('overlap_policy', OVERLAP_POLICIES) });
const misfirePolicySchema = z.enum(MISFIRE_POLICIES, { error: enumMessage('misfire_policy', MISFIRE_POLICIES) });

export const createScheduleInput = z.strictObject({
  target_id: z.string().min(1, 'target_id is required'),
  name: scheduleNameSchema.optional(),
  schedule_type: scheduleTypeSchema,
  schedule_config: scheduleConfigSchema,
  timezone: timezoneSchema.default('UTC'),
  status: z.enum(['ACTIVE', 'PAUSED'], { error: 'status must be ACTIVE or PAUSED' }).default('ACTIVE'),
  retry_policy: retryPolicySchema.default(DEFAULT_RETRY_POLICY),
  overlap_policy: overlapPolicySchema.default('skip'),
  misfire_policy: misfirePolicySchema.default('fire_once'),
  alert: alertConfigSchema.nullable().default(null),
});
export type CreateScheduleInput = z.input<typeof createScheduleInput>;
export type CreateSchedule = z.output<typeof createScheduleInput>;

export const updateScheduleInput = z.strictObject({
  target_id: z.string({ error: 'target_id must be a string' }).min(1, 'target_id may not be empty').optional(),
  name: scheduleNameSchema.optional(),
  schedule_type: scheduleTypeSchema.optional(),
  schedule_config: scheduleConfigSchema.optional(),
  timezone: timezoneSchema.optional(),
  retry_policy: retryPolicySchema.optional(),
  overlap_policy: overlapPolicySchema.optional(),
  misfire_policy: misfirePolicySchema.optional(),
  /** null removes the alert. */
  alert: alertConfigSchema.nullable().optional(),
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
  alert: AlertConfig | null;
  /** OK while the schedule has no alert. */
  alert_state: AlertState;
  /** Failed fires in a row, counted while the schedule has an alert. */
  alert_failures: number;
  /** When alert_state last changed, or null when it never has. */
  alert_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const scheduleStatusSchema = z.enum(SCHEDULE_STATUSES, { error: enumMessage('status', SCHEDULE_STATUSES) });
