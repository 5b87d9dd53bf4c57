import { ValidationError, assertTimeZone, resolveScheduleConfig } from '@api-scheduler/core';
import type { ScheduleConfig, ScheduleType, ValidationIssue } from '@api-scheduler/core';

export interface TimingInput {
  type: ScheduleType;
  /** schedule_config as the client sent it, or as stored. */
  config: unknown;
  /** The top-level timezone, when the client sent one. */
  timezone: string | undefined;
  /** The time zone to use when neither the client nor a CRON config names one. */
  defaultTimezone: string;
  /** The current time, Unix milliseconds; "now" in configs means this instant. */
  now: number;
}

export interface ScheduleTiming {
  config: ScheduleConfig;
  timezone: string;
}

/** Reads the timezone field of a CRON config, trimmed as core's config schema trims it, or undefined when it is not a string. */
function cronTimezoneOf(type: ScheduleType, config: unknown): string | undefined {
  if (type !== 'CRON' || config === null || typeof config !== 'object') return undefined;
  const timezone = (config as Record<string, unknown>).timezone;
  return typeof timezone === 'string' ? timezone.trim() : undefined;
}

/**
 * Resolves a schedule's config and time zone together, adding validation
 * issues to `issues` instead of throwing them. When the client sent no
 * top-level timezone, a CRON config's own timezone supplies it. When both are
 * sent, core's resolver rejects them unless they are equal. Returns null when
 * there are issues.
 */
export function resolveScheduleTiming(input: TimingInput, issues: ValidationIssue[]): ScheduleTiming | null {
  const cronTimezone = input.timezone === undefined ? cronTimezoneOf(input.type, input.config) : undefined;
  const timezone = input.timezone ?? cronTimezone ?? input.defaultTimezone;

  try {
    // Core would report an unknown zone at ["timezone"], but this one came from the config.
    if (cronTimezone !== undefined) assertTimeZone(cronTimezone, ['schedule_config', 'timezone']);
    const config = resolveScheduleConfig(input.type, input.config, { now: input.now, timezone });
    return { config, timezone };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return null;
  }
}
