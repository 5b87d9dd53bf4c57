import { CronDate } from 'croner';
import type { CronPattern } from 'croner';

import { timeZoneOffsetMs } from '../time/zoned-time.js';
import { CRONER_OPTIONS } from './cron-expression.js';

const SECOND_MS = 1_000;
const DAY_SECONDS = 86_400;
const DAY_MS = 86_400_000;

/**
 * Counts the fires of a cron pattern in [from, to], both ends included,
 * without walking them one by one. croner 11.0.1 takes 50–90 µs per
 * nextRun: a loop of 100,000 calls on "* * * * * *" took 5–7 s under
 * Node.js 20 on a 2-vCPU AMD EPYC VM. A walk over a week of missed
 * per-second fires would block the engine for that long. The count follows
 * the fire times of croner:
 *
 * - Between offset changes, an instant fires when its wall-clock time
 *   matches the pattern. The matching times of a day are counted with
 *   prefix sums over the hour, minute and second fields.
 * - Interval jobs need nothing more: a skipped hour has no instants, and a
 *   repeated hour is counted on both passes.
 * - Fixed-time jobs fire once in a repeated hour, so the second pass is
 *   subtracted. A skipped hour that contains a matching time adds one fire at
 *   the end of the gap, if that instant is on the same local day and does
 *   not match by itself.
 *
 * The time zone is scanned a day at a time, so the cost grows with the
 * length of the range, not with the number of fires. It is about 20 µs per
 * day on the same machine, 7 ms for a year. Throws RangeError for a bound
 * that is not a finite number.
 */
export function countCronFires(pattern: CronPattern, timezone: string, from: number, to: number): number {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`Invalid range for counting cron fires: ${from} to ${to}`);
  }

  // Fires are whole seconds, so [start, end) contains every fire time in [from, to].
  const start = Math.ceil(from / SECOND_MS) * SECOND_MS;
  const end = Math.floor(to / SECOND_MS) * SECOND_MS + SECOND_MS;
  if (!(start < end)) return 0;

  const wallClock = new WallClockCounter(pattern, timezone);
  const countInstants = (a: number, b: number, offset: number): number => {
    const lo = Math.max(a, start);
    const hi = Math.min(b, end);
    return lo < hi ? wallClock.countBetween(lo + offset, hi + offset) : 0;
  };

  // The scan starts a day early, so a range that begins inside the second
  // pass of a repeated hour still includes the change that repeated it.
  let count = 0;
  let cursor = start - DAY_MS;
  let offset = timeZoneOffsetMs(cursor, timezone);
  while (cursor < end) {
    // The offset is constant on [cursor, boundary).
    let boundary = Math.min(cursor + DAY_MS, end);
    if (timeZoneOffsetMs(boundary - SECOND_MS, timezone) !== offset) {
      // NOTE: assumes at most one offset change per day. With two, the
      // binary search finds one of them and the count can be off.
      boundary = findOffsetChange(cursor, boundary - SECOND_MS, offset, timezone);
    }
    count += countInstants(cursor, boundary, offset);

    // The clock changes at `boundary` when the next offset differs, also
    // when the change falls exactly on a chunk end.
    const after = timeZoneOffsetMs(boundary, timezone);
    if (pattern.isFixedTime && after < offset) {
      count -= countInstants(boundary, boundary + (offset - after), after);
    }
    if (pattern.isFixedTime && after > offset && boundary >= start && boundary < end) {
      count += wallClock.gapFire(boundary + offset, boundary + after);
    }
    cursor = boundary;
    offset = after;
  }
  return count;
}

/** Finds the first whole second in (lo, hi] whose offset differs from `offset`, the offset at lo. */
function findOffsetChange(lo: number, hi: number, offset: number, timezone: string): number {
  while (hi - lo > SECOND_MS) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
    if (timeZoneOffsetMs(mid, timezone) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Matching wall-clock times of a pattern. Wall times are Unix milliseconds of the local time read as UTC. */
class WallClockCounter {
  private readonly hours: boolean[];
  private readonly minutes: boolean[];
  private readonly seconds: boolean[];
  private readonly hourPrefix: number[];
  private readonly minutePrefix: number[];
  private readonly secondPrefix: number[];
  private readonly perHour: number;
  private readonly perDay: number;
  private readonly probe: CronDate;
  private probedDay = Number.NaN;
  private probedMatch = false;

  constructor(private readonly pattern: CronPattern, timezone: string) {
    this.hours = pattern.hour.map(Boolean);
    this.minutes = pattern.minute.map(Boolean);
    this.seconds = pattern.second.map(Boolean);
    this.hourPrefix = prefixCounts(this.hours);
    this.minutePrefix = prefixCounts(this.minutes);
    this.secondPrefix = prefixCounts(this.seconds);
    this.perHour = this.minutePrefix[60]! * this.secondPrefix[60]!;
    this.perDay = this.hourPrefix[24]! * this.perHour;

    // CronDate.match reads only the date and time fields, so one probe set
    // to the first matching time of day checks whether a date matches.
    this.probe = new CronDate(new Date(0), timezone);
    this.probe.hour = this.hours.indexOf(true);
    this.probe.minute = this.minutes.indexOf(true);
    this.probe.second = this.seconds.indexOf(true);
    this.probe.ms = 0;
  }

  /** Counts the matching wall times in [wallStart, wallEnd). Both bounds are whole seconds. */
  countBetween(wallStart: number, wallEnd: number): number {
    const first = wallStart / SECOND_MS;
    const last = wallEnd / SECOND_MS;
    let count = 0;
    for (let day = Math.floor(first / DAY_SECONDS); day * DAY_SECONDS < last; day += 1) {
      if (!this.dateMatches(day)) continue;
      const dayStart = day * DAY_SECONDS;
      const lo = Math.max(first, dayStart) - dayStart;
      const hi = Math.min(last, dayStart + DAY_SECONDS) - dayStart;
      count += this.timesBefore(hi) - this.timesBefore(lo);
    }
    return count;
  }

  /**
   * Returns 1 when the skipped wall times [gapStart, gapEnd) contain a match
   * on the day of gapEnd and gapEnd itself does not match, else 0. croner
   * fires such a fixed-time job once, at the instant the clock jumps.
   */
  gapFire(gapStart: number, gapEnd: number): number {
    const dayStart = Math.floor(gapEnd / DAY_MS) * DAY_MS;
    const skipped = this.countBetween(Math.max(gapStart, dayStart), gapEnd);
    const endMatches = this.countBetween(gapEnd, gapEnd + SECOND_MS) > 0;
    return skipped > 0 && !endMatches ? 1 : 0;
  }

  /** Counts the matching times of day before `secondOfDay` (0 to 86,400). */
  private timesBefore(secondOfDay: number): number {
    if (secondOfDay >= DAY_SECONDS) return this.perDay;

    const hour = Math.floor(secondOfDay / 3_600);
    const minute = Math.floor((secondOfDay % 3_600) / 60);
    const second = secondOfDay % 60;
    let count = this.hourPrefix[hour]! * this.perHour;
    if (this.hours[hour]) {
      count += this.minutePrefix[minute]! * this.secondPrefix[60]!;
      if (this.minutes[minute]) count += this.secondPrefix[second]!;
    }
    return count;
  }

  private dateMatches(day: number): boolean {
    if (day === this.probedDay) return this.probedMatch;

    const date = new Date(day * DAY_MS);
    this.probe.year = date.getUTCFullYear();
    this.probe.month = date.getUTCMonth();
    this.probe.day = date.getUTCDate();
    this.probedDay = day;
    this.probedMatch = this.probe.match(this.pattern, { ...CRONER_OPTIONS });
    return this.probedMatch;
  }
}

/** Running counts: prefix[i] is the number of true values before index i, and prefix[values.length] the total. */
function prefixCounts(values: boolean[]): number[] {
  const prefix = [0];
  for (const value of values) prefix.push(prefix[prefix.length - 1]! + (value ? 1 : 0));
  return prefix;
}
