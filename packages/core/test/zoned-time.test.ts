import { describe, expect, it } from 'vitest';

import { formatInZone, isValidTimeZone, timeZoneOffsetMs, wallTimeAsUtcMs, wallTimeToInstant } from '../src/index.js';
import type { WallTime } from '../src/index.js';

const hourMs = 3_600_000;
const minuteMs = 60_000;

/** Builds a WallTime from "YYYY-MM-DDTHH:MM:SS.mmm" without going through the code under test. */
function wallOf(text: string): WallTime {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (!match) throw new Error(`Bad wall time in test table: ${text}`);
  const [, year, month, day, hour, minute, second, millisecond] = match.map(Number) as number[];
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, millisecond: millisecond! };
}

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Etc/UTC', true],
    ['GMT', true],
    ['Europe/London', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['Etc/GMT+5', true],
    ['', false],
    ['Mars/Olympus_Mons', false],
    ['Europe/Londn', false],
    ['UTC+1', false],
    ['Not a zone', false],
    ['Europe/' + 'x'.repeat(60), false],
  ])('%j is %s', (timezone, expected) => {
    expect(isValidTimeZone(timezone)).toBe(expected);
  });

  it('rejects a bogus name twice', () => {
    expect(isValidTimeZone('Bogus/Zone')).toBe(false);
    expect(isValidTimeZone('Bogus/Zone')).toBe(false);
  });
});

describe('timeZoneOffsetMs', () => {
  it.each([
    ['2026-01-15T12:00:00.000Z', 'UTC', 0],
    ['2026-01-15T12:00:00.000Z', 'Europe/London', 0],
    ['2026-07-15T12:00:00.000Z', 'Europe/London', hourMs],
    ['2026-01-15T12:00:00.000Z', 'Europe/Berlin', hourMs],
    ['2026-07-15T12:00:00.000Z', 'Europe/Berlin', 2 * hourMs],
    ['2026-01-15T12:00:00.000Z', 'America/New_York', -5 * hourMs],
    ['2026-07-15T12:00:00.000Z', 'America/New_York', -4 * hourMs],
    ['2026-01-15T12:00:00.000Z', 'Asia/Kolkata', 5 * hourMs + 30 * minuteMs],
    ['2026-01-15T12:00:00.000Z', 'Asia/Kathmandu', 5 * hourMs + 45 * minuteMs],
    ['2026-01-15T12:00:00.000Z', 'America/St_Johns', -(3 * hourMs + 30 * minuteMs)],
    ['2026-01-15T12:00:00.000Z', 'Pacific/Kiritimati', 14 * hourMs],
    // Around Berlin's spring-forward instant, 2026-03-29T01:00:00Z.
    ['2026-03-29T00:59:59.999Z', 'Europe/Berlin', hourMs],
    ['2026-03-29T01:00:00.000Z', 'Europe/Berlin', 2 * hourMs],
    // Around Berlin's fall-back instant, 2026-10-25T01:00:00Z.
    ['2026-10-25T00:59:59.999Z', 'Europe/Berlin', 2 * hourMs],
    ['2026-10-25T01:00:00.000Z', 'Europe/Berlin', hourMs],
    // Instants before 1970 are negative; the milliseconds must not shift the result.
    ['1969-07-20T20:17:40.500Z', 'America/New_York', -4 * hourMs],
    ['1969-12-31T23:59:59.999Z', 'Europe/Berlin', hourMs],
    ['0050-06-01T00:00:00.000Z', 'UTC', 0],
    ['0000-06-01T00:00:00.000Z', 'UTC', 0],
  ])('at %s in %s is %i ms', (instant, timezone, expected) => {
    expect(timeZoneOffsetMs(Date.parse(instant), timezone)).toBe(expected);
  });
});

describe('formatInZone', () => {
  it.each([
    ['2026-01-15T12:00:00.000Z', 'UTC', '2026-01-15T12:00:00.000+00:00'],
    ['2026-03-29T01:30:00.000Z', 'Europe/Berlin', '2026-03-29T03:30:00.000+02:00'],
    ['2026-03-29T00:30:00.000Z', 'Europe/Berlin', '2026-03-29T01:30:00.000+01:00'],
    // The two instants that Berlin shows as 02:30 on the fall-back night.
    ['2026-10-25T00:30:00.000Z', 'Europe/Berlin', '2026-10-25T02:30:00.000+02:00'],
    ['2026-10-25T01:30:00.000Z', 'Europe/Berlin', '2026-10-25T02:30:00.000+01:00'],
    ['2026-01-01T00:00:00.000Z', 'America/New_York', '2025-12-31T19:00:00.000-05:00'],
    ['2026-01-01T00:00:00.000Z', 'America/St_Johns', '2025-12-31T20:30:00.000-03:30'],
    ['2026-01-01T00:00:00.000Z', 'Asia/Kolkata', '2026-01-01T05:30:00.000+05:30'],
    ['2026-05-01T09:00:00.123Z', 'Asia/Kathmandu', '2026-05-01T14:45:00.123+05:45'],
  ])('%s in %s is %s', (instant, timezone, expected) => {
    expect(formatInZone(Date.parse(instant), timezone)).toBe(expected);
  });
});

describe('wallTimeToInstant', () => {
  it.each([
    ['2026-05-01T09:00:00.000', 'UTC', '2026-05-01T09:00:00.000Z'],
    ['2026-01-15T09:00:00.000', 'Europe/Berlin', '2026-01-15T08:00:00.000Z'],
    ['2026-07-15T09:00:00.000', 'Europe/Berlin', '2026-07-15T07:00:00.000Z'],
    ['2026-01-15T09:00:00.000', 'America/New_York', '2026-01-15T14:00:00.000Z'],
    ['2026-07-15T09:00:00.000', 'America/New_York', '2026-07-15T13:00:00.000Z'],
    ['2026-07-15T09:00:00.456', 'America/New_York', '2026-07-15T13:00:00.456Z'],
    ['2026-01-15T09:00:00.000', 'Asia/Kathmandu', '2026-01-15T03:15:00.000Z'],
    // Spring-forward gap: moved forward by the gap length.
    ['2026-03-29T02:30:00.000', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    ['2026-03-29T02:00:00.001', 'Europe/Berlin', '2026-03-29T01:00:00.001Z'],
    ['2026-03-08T02:30:00.000', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    // Samoa skipped all of 2011-12-30 (UTC-10:00 to UTC+14:00): noon that
    // day moves 24 hours forward, to noon on 2011-12-31 at +14:00.
    ['2011-12-30T12:00:00.000', 'Pacific/Apia', '2011-12-30T22:00:00.000Z'],
    // Repeated hour: the earlier instant.
    ['2026-10-25T02:30:00.000', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['2026-10-25T02:59:59.999', 'Europe/Berlin', '2026-10-25T00:59:59.999Z'],
    ['2026-11-01T01:30:00.000', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    // Years 0–99 are not moved into the 1900s.
    ['0050-01-01T00:00:00.000', 'UTC', '0050-01-01T00:00:00.000Z'],
    ['0000-01-01T00:00:00.000', 'UTC', '0000-01-01T00:00:00.000Z'],
  ])('%s in %s is %s', (wall, timezone, expected) => {
    expect(new Date(wallTimeToInstant(wallOf(wall), timezone)).toISOString()).toBe(expected);
  });

  it('round-trips a fall-back night', () => {
    // Every instant's own wall time maps back to it, except the second pass
    // through the repeated hour, which maps to the first.
    const start = Date.parse('2026-10-24T22:00:00.000Z');
    for (let instant = start; instant < start + 6 * hourMs; instant += 15 * minuteMs) {
      const local = formatInZone(instant, 'Europe/Berlin').slice(0, 23);
      const back = wallTimeToInstant(wallOf(local), 'Europe/Berlin');
      const inSecondPass = instant >= Date.parse('2026-10-25T01:00:00.000Z') && instant < Date.parse('2026-10-25T02:00:00.000Z');
      expect(back).toBe(inSecondPass ? instant - hourMs : instant);
    }
  });
});

describe('wallTimeAsUtcMs', () => {
  it.each([
    ['2026-05-01T09:30:15.250', '2026-05-01T09:30:15.250Z'],
    ['0050-01-01T00:00:00.000', '0050-01-01T00:00:00.000Z'],
    ['0099-12-31T23:59:59.999', '0099-12-31T23:59:59.999Z'],
    ['1969-12-31T23:59:59.999', '1969-12-31T23:59:59.999Z'],
  ])('%s is %s', (wall, expected) => {
    expect(new Date(wallTimeAsUtcMs(wallOf(wall))).toISOString()).toBe(expected);
  });

  it('rolls over out-of-range fields like Date.UTC', () => {
    const lastOfFebruary = { year: 2028, month: 3, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
    const hour24 = { year: 2026, month: 12, day: 31, hour: 24, minute: 0, second: 0, millisecond: 0 };

    expect(new Date(wallTimeAsUtcMs(lastOfFebruary)).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(new Date(wallTimeAsUtcMs(hour24)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
