import type { z } from 'zod';

import { ValidationError } from '../errors.js';
import type { ValidationIssue } from '../errors.js';
import type { ScheduleType } from '../schemas/enums.js';
import { scheduleConfigInputs } from '../schemas/schedule.js';
import type { IntervalConfig, ScheduleConfig, WindowConfig } from '../schemas/schedule.js';
import { isSupportedScheduleType } from '../strategies/index.js';
import { TimeExpressionError, parseTimeExpression } from '../time/parse-time-expression.js';
import { isValidTimeZone } from '../time/zoned-time.js';

export interface ResolveOptions {
  /** The current time, Unix milliseconds; "now" in configs means this instant. */
  now: number;
  timezone: string;
}

/** Converts zod issues to REST validation issues under a location prefix. */
export function toValidationIssues(error: z.ZodError, prefix: (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    loc: [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
    msg: issue.message,
    type: issue.code,
  }));
}

export function assertTimeZone(timezone: string, loc: (string | number)[] = ['timezone']): void {
  if (!isValidTimeZone(timezone)) {
    throw ValidationError.at(loc, `Unknown time zone "${timezone}": use an IANA name such as UTC or Europe/Berlin`, 'timezone_error');
  }
}

function parseTime(value: string, field: string, options: ResolveOptions): number {
  try {
    return parseTimeExpression(value, options);
  } catch (error) {
    if (error instanceof TimeExpressionError) {
      throw ValidationError.at(['schedule_config', field], error.message, 'time_error');
    }
    throw error;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Validates a schedule_config as a client sent it and resolves its times
 * ("now", "now + 5 minutes", naive ISO read in the schedule's time zone) to
 * UTC instants, so the stored config means the same thing forever.
 * Throws ValidationError with locations under schedule_config.
 */
export function resolveScheduleConfig(type: ScheduleType, raw: unknown, options: ResolveOptions): ScheduleConfig {
  assertTimeZone(options.timezone);
  if (!isSupportedScheduleType(type)) {
    throw ValidationError.at(['schedule_type'], `Schedule type ${type} is not supported yet: use INTERVAL or WINDOW`, 'enum');
  }

  switch (type) {
    case 'INTERVAL':
      return resolveInterval(raw, options);
    case 'WINDOW':
      return resolveWindow(raw, options);
    default:
      throw ValidationError.at(['schedule_type'], `Schedule type ${type} is not supported yet`, 'enum');
  }
}

function parseConfig<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(toValidationIssues(parsed.error, ['schedule_config']));
  return parsed.data;
}

function resolveInterval(raw: unknown, options: ResolveOptions): IntervalConfig {
  const input = parseConfig(scheduleConfigInputs.INTERVAL, raw);

  // Without a start_time the first fire comes one interval after creation.
  const start =
    input.start_time === undefined ? options.now + input.interval_seconds * 1000 : parseTime(input.start_time, 'start_time', options);
  return { interval_seconds: input.interval_seconds, start_time: iso(start) };
}

function resolveWindow(raw: unknown, options: ResolveOptions): WindowConfig {
  const input = parseConfig(scheduleConfigInputs.WINDOW, raw);
  const start = parseTime(input.start_time, 'start_time', options);
  const end = parseTime(input.end_time, 'end_time', options);

  if (end <= start) {
    throw ValidationError.at(['schedule_config', 'end_time'], 'end_time must be after start_time', 'value_error');
  }
  if (input.interval_seconds * 1000 > end - start) {
    throw ValidationError.at(
      ['schedule_config', 'interval_seconds'],
      `Rate (Interval ${input.interval_seconds}s) cannot be greater than the Window duration`,
      'value_error',
    );
  }
  if (end < options.now) {
    throw ValidationError.at(['schedule_config', 'end_time'], `The window has already ended: end_time ${iso(end)} is in the past`, 'value_error');
  }

  return { start_time: iso(start), end_time: iso(end), interval_seconds: input.interval_seconds, max_runs: input.max_runs ?? null };
}
