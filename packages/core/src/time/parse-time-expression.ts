import { wallTimeAsUtcMs, wallTimeToInstant } from './zoned-time.js';

const unitMs: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

// Instants from 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, the
// range that four-digit ISO 8601 years can write. "now + 999999999 days" lies
// outside it, and outside the range of a JavaScript Date too.
const minInstantMs = Date.parse('0000-01-01T00:00:00.000Z');
const maxInstantMs = Date.parse('9999-12-31T23:59:59.999Z');

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
 * with unit second, minute, hour or day. Throws TimeExpressionError for
 * anything else, and for instants outside the years 0000–9999 UTC.
 */
export function parseTimeExpression(input: string, options: { now: number; timezone: string }): number {
  return checkRange(parseInstant(input, options), input);
}

/**
 * Parses an ISO 8601 time only, with the same rules as parseTimeExpression:
 * a time without an offset is read in `timezone`. Throws TimeExpressionError
 * for anything else, "now" included, and for impossible dates such as
 * 2026-02-30.
 */
export function parseIsoTime(input: string, timezone: string): number {
  return checkRange(parseIso(input, timezone), input);
}

function checkRange(instant: number, input: string): number {
  if (!(instant >= minInstantMs && instant <= maxInstantMs)) throw new TimeExpressionError(input);
  return instant;
}

function parseInstant(input: string, options: { now: number; timezone: string }): number {
  const text = input.trim();

  const relative = relativePattern.exec(text);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign || !amount || !unit) return options.now;
    const delta = Number(amount) * unitMs[unit.toLowerCase()]!;
    return sign === '-' ? options.now - delta : options.now + delta;
  }

  return parseIso(input, options.timezone);
}

function parseIso(input: string, timezone: string): number {
  const iso = isoPattern.exec(input.trim());
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

  if (zone === undefined) return wallTimeToInstant(wall, timezone);

  const wallAsUtc = wallTimeAsUtcMs(wall);
  if (zone.toUpperCase() === 'Z') return wallAsUtc;

  const digits = zone.slice(1).replace(':', '');
  const offsetHours = Number(digits.slice(0, 2));
  const offsetMinutesPastHour = Number(digits.slice(2) || '0');
  const offsetMinutes = offsetHours * 60 + offsetMinutesPastHour;
  if (offsetMinutesPastHour > 59 || offsetMinutes > 18 * 60) throw new TimeExpressionError(input);
  return wallAsUtc - (zone.startsWith('-') ? -offsetMinutes : offsetMinutes) * 60_000;
}

function isRealWallTime(wall: { year: number; month: number; day: number; hour: number; minute: number; second: number }): boolean {
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
    return false;
  }
  // Day 0 of the next month is the last day of this one.
  const lastDayOfMonth = { year: wall.year, month: wall.month + 1, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
  const daysInMonth = new Date(wallTimeAsUtcMs(lastDayOfMonth)).getUTCDate();
  return wall.day <= daysInMonth;
}
