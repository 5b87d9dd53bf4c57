const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Checks whether the runtime's ICU data contains `timezone` as an IANA time zone name. */
export function isValidTimeZone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > 64) return false;
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timezone` from UTC at the instant `ms`, in milliseconds (UTC+02:00 is 7,200,000). */
export function timeZoneOffsetMs(ms: number, timezone: string): number {
  const parts = formatterFor(timezone).formatToParts(new Date(ms));
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  // en-US numbers the years before 1 AD backwards with era BC, so 1 BC is year 0.
  const era = parts.find((part) => part.type === 'era')?.value;
  const year = era === 'BC' ? 1 - field('year') : field('year');
  const wallAsUtc = wallTimeAsUtcMs({
    year,
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
    millisecond: 0,
  });
  const wholeSecondMs = ms - (((ms % 1000) + 1000) % 1000);
  return wallAsUtc - wholeSecondMs;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Reads a wall time as if it were UTC and returns Unix milliseconds. Fields
 * out of range roll over as in Date.UTC, but years 0–99 stay as given where
 * Date.UTC would move them to 1900–1999.
 */
export function wallTimeAsUtcMs(wall: WallTime): number {
  const midnight = new Date(0);
  midnight.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  return midnight.getTime() + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000 + wall.millisecond;
}

/**
 * Converts a wall-clock time in `timezone` to an instant. Ambiguous times
 * (the repeated hour when clocks go back) take the earlier instant; times
 * inside a skipped hour move forward by the length of the gap, so 02:30 on a
 * spring-forward night becomes 03:30. Both follow the "compatible"
 * disambiguation of TC39 Temporal.
 */
export function wallTimeToInstant(wall: WallTime, timezone: string): number {
  const wallAsUtc = wallTimeAsUtcMs(wall);

  // The offset can differ by at most a day either side; try the offsets in
  // force shortly before and after, and keep a candidate that maps back.
  const offsetBefore = timeZoneOffsetMs(wallAsUtc - 86_400_000, timezone);
  const offsetAfter = timeZoneOffsetMs(wallAsUtc + 86_400_000, timezone);
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (candidate + timeZoneOffsetMs(candidate, timezone) === wallAsUtc) return candidate;
  }

  // No instant shows this wall time: it lies in a gap. Shift it by the gap.
  return wallAsUtc - offsetBefore;
}

/** Formats an instant as ISO 8601 local time with its offset, like 2026-03-29T03:30:00.000+02:00. */
export function formatInZone(ms: number, timezone: string): string {
  const offset = timeZoneOffsetMs(ms, timezone);
  const local = new Date(ms + offset).toISOString().slice(0, -1);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
