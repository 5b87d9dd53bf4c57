import type { z } from 'zod';

import { ValidationError } from '../errors.js';
import type { ValidationIssue } from '../errors.js';
import { SCHEDULE_TYPES } from '../schemas/enums.js';
import type { ScheduleType } from '../schemas/enums.js';
import { scheduleConfigInputs } from '../schemas/schedule.js';
import type { CronConfig, IntervalConfig, OnceConfig, ScheduleConfig, WindowConfig } from '../schemas/schedule.js';
import { CronExpressionError, compileCron, normalizeCronExpression } from '../strategies/cron-expression.js';
import type { CompiledCron } from '../strategies/cron-expression.js';
import { TimeExpressionError, parseTimeExpression } from '../time/parse-time-expression.js';
import { isValidTimeZone } from '../time/zoned-time.js';

export interface ResolveOptions {
  /** The current time, Unix milliseconds; "now" in configs means this instant. */
  now: number;
  timezone: string;
}

/** Tells whether the input lacks the key that `path` names (or has undefined there), which makes the issue a missing field. */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent = input;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  if (parent === null || typeof parent !== 'object') return false;
  const value = (parent as Record<PropertyKey, unknown>)[path[path.length - 1]!];
  return value === undefined;
}

/**
 * Converts zod issues to REST validation issues under a location prefix. An
 * unrecognized_keys issue becomes one issue per key, located at that key, and
 * when `input` is given, a field that it lacks reads "Field required" (type
 * "missing"), as FastAPI reports it.
 */
export function toValidationIssues(error: z.ZodError, prefix: (string | number)[] = [], input?: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const loc = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];

    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ loc: [...loc, key], msg: `Unrecognized key "${key}"`, type: 'unrecognized_keys' });
      }
      continue;
    }

    // Only a type or enum issue can mean "absent": a refinement may point at a
    // field that its default filled in, such as retry_policy.max_delay_ms.
    const typeIssue = issue.code === 'invalid_type' || issue.code === 'invalid_value';
    if (input !== undefined && typeIssue && isMissing(input, issue.path)) {
      issues.push({ loc, msg: 'Field required', type: 'missing' });
      continue;
    }

    issues.push({ loc, msg: issue.message, type: issue.code });
  }
  return issues;
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

  switch (type) {
    case 'INTERVAL':
      return resolveInterval(raw, options);
    case 'WINDOW':
      return resolveWindow(raw, options);
    case 'CRON':
      return resolveCron(raw, options);
    case 'ONCE':
      return resolveOnce(raw, options);
    default:
      throw ValidationError.at(['schedule_type'], `Unknown schedule_type ${String(type)}: use one of ${SCHEDULE_TYPES.join(', ')}`, 'enum');
  }
}

function parseConfig<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(toValidationIssues(parsed.error, ['schedule_config'], raw));
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

function resolveCron(raw: unknown, options: ResolveOptions): CronConfig {
  const input = parseConfig(scheduleConfigInputs.CRON, raw);

  // The schedule's timezone is the one the engine and the preview show, so
  // a config may repeat it but not contradict it.
  const timezone = input.timezone ?? options.timezone;
  assertTimeZone(timezone, ['schedule_config', 'timezone']);
  if (timezone !== options.timezone) {
    throw ValidationError.at(
      ['schedule_config', 'timezone'],
      `schedule_config.timezone "${timezone}" must match the schedule's timezone "${options.timezone}": set only the schedule's timezone`,
      'timezone_error',
    );
  }

  const expression = normalizeCronExpression(input.expression);
  const { cron } = compileCronAt(expression, timezone);

  // Without a year field the fires repeat with the 400-year Gregorian
  // cycle, and croner searches up to the year 3000, so no next fire from now
  // means no fire at all. That search took up to 35 ms ("0 0 31 4,6,9,11 *").
  if (cron.nextRun(new Date(options.now)) === null) {
    throw ValidationError.at(
      ['schedule_config', 'expression'],
      `Cron expression "${expression}" never fires: no date matches its day-of-month, month and day-of-week fields`,
      'cron_error',
    );
  }

  return { expression, timezone };
}

function compileCronAt(expression: string, timezone: string): CompiledCron {
  try {
    return compileCron(expression, timezone);
  } catch (error) {
    if (error instanceof CronExpressionError) throw ValidationError.at(['schedule_config', 'expression'], error.message, 'cron_error');
    throw error;
  }
}

function resolveOnce(raw: unknown, options: ResolveOptions): OnceConfig {
  const input = parseConfig(scheduleConfigInputs.ONCE, raw);
  const runAt = parseTime(input.run_at, 'run_at', options);

  // Up to a second in the past is clock skew or a slow request, not a
  // mistake: such a run_at becomes now, so the schedule still fires.
  if (runAt < options.now - 1_000) {
    throw ValidationError.at(
      ['schedule_config', 'run_at'],
      `run_at ${iso(runAt)} is in the past: use a later time, or "now" to fire at once`,
      'value_error',
    );
  }

  return { run_at: iso(Math.max(runAt, options.now)) };
}
