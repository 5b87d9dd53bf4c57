import { LIMITS, firstRunAt, strategyFor } from '@api-scheduler/core';
import type { ScheduleConfig, ScheduleType } from '@api-scheduler/core';

const units = [
  { seconds: 86_400, symbol: 'd' },
  { seconds: 3_600, symbol: 'h' },
  { seconds: 60, symbol: 'min' },
] as const;

/** Formats a period in its largest whole unit: 30 → "30 s", 300 → "5 min", 5400 → "90 min", 7200 → "2 h". */
export function formatPeriod(seconds: number): string {
  for (const unit of units) {
    if (seconds >= unit.seconds && seconds % unit.seconds === 0) return `${seconds / unit.seconds} ${unit.symbol}`;
  }
  return `${seconds} s`;
}

/**
 * Name of a schedule created without one, such as "every 30 s", "window every
 * 10 s", "cron 0 9 * * 1-5 (Europe/London)" or "once at 2026-05-01T09:00:00.000Z".
 */
export function defaultScheduleName(type: ScheduleType, config: ScheduleConfig): string {
  const period = 'interval_seconds' in config ? formatPeriod(config.interval_seconds) : null;

  let name = type.toLowerCase();
  if (type === 'INTERVAL' && period !== null) name = `every ${period}`;
  if (type === 'WINDOW' && period !== null) name = `window every ${period}`;
  if (type === 'CRON' && 'expression' in config) name = `cron ${config.expression} (${config.timezone})`;
  if (type === 'ONCE' && 'run_at' in config) name = `once at ${config.run_at}`;

  // A long cron expression must not make the name longer than a client may set.
  return name.slice(0, LIMITS.nameLength);
}

export interface Activation {
  status: 'ACTIVE' | 'COMPLETED';
  next_run_at: Date | null;
}

/**
 * Plans a schedule that becomes active at `now` (created, resumed, or given a
 * new config): its next fire is the first slot at or after now, so slots
 * before now never fire. It is COMPLETED when no slot remains or its
 * max_runs is already used up.
 */
export function activate(type: ScheduleType, config: ScheduleConfig, runCount: number, now: number): Activation {
  const maxRuns = strategyFor(type).maxRuns(config);
  if (maxRuns !== null && runCount >= maxRuns) return { status: 'COMPLETED', next_run_at: null };

  const next = firstRunAt(type, config, now);
  if (next === null) return { status: 'COMPLETED', next_run_at: null };
  return { status: 'ACTIVE', next_run_at: new Date(next) };
}
