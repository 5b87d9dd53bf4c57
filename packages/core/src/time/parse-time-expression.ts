import { wallTimeToInstant } from './zoned-time.js';

const unitMs: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const relativePattern = /^now\s*(?:([+-])\s*(\d{1,9})\s*(second|minute|hour|day)s?)?$/i;
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export class TimeExpressionError extends Error {
  constructor(readonly input: string) {
    super(
      `Invalid time "${input}": use ISO 8601 (2026-05-01T09:00:00Z, or without an offset to read it in the schedule's time zone), "now", or "now + N seconds|minutes|hours|days"`,
    );
    this.name = 'TimeExpressionError';
  }
}

/**
 * Parses a time as users write it in schedule configs and returns Unix
 * milliseconds. Accepted: ISO 8601 with an offset or Z; ISO 8601 without an
 * offset, read in `timezone`; "now"; "now + N unit(s)" and "now - N unit(s)"
 * with unit second, minute, hour or day.
 */
export function parseTimeExpression(input: string, options: { now: number; timezone: string }): number {
  const text = input.trim();

  const relative = relativePattern.exec(text);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign || !amount || !unit) return options.now;
    const delta = Number(amount) * unitMs[unit.toLowerCase()]!;
    return sign === '-' ? options.now - delta : options.now + delta;
  }

  const iso = isoPattern.exec(text);
  if (!iso) throw new TimeExpressionError(input);

  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = iso;
  const wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.padEnd(3, '0').slice(0, 3)),
  };
  if (!isRealWallTime(wall)) throw new TimeExpressionError(input);

  if (zone === undefined) return wallTimeToInstant(wall, options.timezone);

  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  if (zone.toUpperCase() === 'Z') return wallAsUtc;

  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (offsetMinutes > 18 * 60) throw new TimeExpressionError(input);
  return wallAsUtc - (zone.startsWith('-') ? -offsetMinutes : offsetMinutes) * 60_000;
}

function isRealWallTime(wall: { year: number; month: number; day: number; hour: number; minute: number; second: number }): boolean {
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
    return false;
  }
  const daysInMonth = new Date(Date.UTC(wall.year, wall.month, 0)).getUTCDate();
  return wall.day <= daysInMonth;
}
