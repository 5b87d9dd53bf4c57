import { describe, expect, it } from 'vitest';

import { compileCron, cronStrategy, strategyFor } from '../src/index.js';
import type { CronConfig } from '../src/index.js';

const ms = (iso: string): number => Date.parse(iso);
const iso = (instant: number | null): string | null => (instant === null ? null : new Date(instant).toISOString());

function cron(expression: string, timezone = 'UTC'): CronConfig {
  return { expression, timezone };
}

/** Lists `count` fires at or after `from` as ISO strings, by firstAtOrAfter and then nextAfter. */
function walk(config: CronConfig, from: string, count: number): (string | null)[] {
  const fires: (string | null)[] = [];
  let slot = cronStrategy.firstAtOrAfter(config, ms(from));
  while (fires.length < count) {
    fires.push(iso(slot));
    if (slot === null) break;
    slot = cronStrategy.nextAfter(config, slot);
  }
  return fires;
}

// The 2026 DST changes in these tests, with the instant of each:
// - America/New_York: 2026-03-08 02:00 EST → 03:00 EDT at 07:00Z, and 2026-11-01 02:00 EDT → 01:00 EST at 06:00Z.
// - Europe/London: 2026-03-29 01:00 GMT → 02:00 BST at 01:00Z, and 2026-10-25 02:00 BST → 01:00 GMT at 01:00Z.
// - Australia/Lord_Howe shifts by 30 minutes: 2026-04-05 02:00 +11 → 01:30 +10:30 at 2026-04-04T15:00Z,
//   and 2026-10-04 02:00 +10:30 → 02:30 +11 at 2026-10-03T15:30Z.
// - Asia/Tokyo and UTC have no DST.

describe('cronStrategy.nextAfter across DST changes', () => {
  it.each([
    // Fixed time inside the skipped hour: fires when the clock jumps, once.
    ['New York 02:30, the day before spring forward', cron('30 2 * * *', 'America/New_York'), '2026-03-07T07:30:00Z', '2026-03-08T07:00:00.000Z'],
    ['New York 02:30, at the jump', cron('30 2 * * *', 'America/New_York'), '2026-03-08T07:00:00Z', '2026-03-09T06:30:00.000Z'],
    ['New York 02:30, just before the jump', cron('30 2 * * *', 'America/New_York'), '2026-03-08T06:59:59Z', '2026-03-08T07:00:00.000Z'],
    ['New York list 02:30 and 14:30 at the jump', cron('30 2,14 * * *', 'America/New_York'), '2026-03-08T05:00:00Z', '2026-03-08T07:00:00.000Z'],
    ['London 01:30 on spring forward', cron('30 1 * * *', 'Europe/London'), '2026-03-28T01:30:00Z', '2026-03-29T01:00:00.000Z'],
    ['London 01:30 after spring forward', cron('30 1 * * *', 'Europe/London'), '2026-03-29T01:00:00Z', '2026-03-30T00:30:00.000Z'],
    ['Lord Howe 02:15 in the 30-minute gap', cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-02T15:45:00Z', '2026-10-03T15:30:00.000Z'],
    ['Lord Howe 02:15 after the gap', cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-03T15:30:00Z', '2026-10-04T15:15:00.000Z'],

    // Fixed time inside the repeated hour: fires on the first pass only.
    ['New York 01:30 before fall back', cron('30 1 * * *', 'America/New_York'), '2026-10-31T05:30:00Z', '2026-11-01T05:30:00.000Z'],
    ['New York 01:30 after its first pass', cron('30 1 * * *', 'America/New_York'), '2026-11-01T05:30:00Z', '2026-11-02T06:30:00.000Z'],
    ['New York 01:30 from the second pass', cron('30 1 * * *', 'America/New_York'), '2026-11-01T06:10:00Z', '2026-11-02T06:30:00.000Z'],
    ['New York list 01:30 and 13:30 after the first pass', cron('30 1,13 * * *', 'America/New_York'), '2026-11-01T05:30:00Z', '2026-11-01T18:30:00.000Z'],
    ['London 01:30 before fall back', cron('30 1 * * *', 'Europe/London'), '2026-10-24T00:30:00Z', '2026-10-25T00:30:00.000Z'],
    ['London 01:30 after its first pass', cron('30 1 * * *', 'Europe/London'), '2026-10-25T00:30:00Z', '2026-10-26T01:30:00.000Z'],
    ['Lord Howe 01:45 before fall back', cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-04-03T14:45:00Z', '2026-04-04T14:45:00.000Z'],
    ['Lord Howe 01:45 after its first pass', cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-04-04T14:45:00Z', '2026-04-05T15:15:00.000Z'],

    // Hourly: one real hour apart across both changes.
    ['New York hourly at spring forward', cron('0 * * * *', 'America/New_York'), '2026-03-08T06:00:00Z', '2026-03-08T07:00:00.000Z'],
    ['New York hourly into the repeated hour', cron('0 * * * *', 'America/New_York'), '2026-11-01T05:00:00Z', '2026-11-01T06:00:00.000Z'],
    ['London hourly at spring forward', cron('0 * * * *', 'Europe/London'), '2026-03-29T00:00:00Z', '2026-03-29T01:00:00.000Z'],
    ['London hourly into the repeated hour', cron('0 * * * *', 'Europe/London'), '2026-10-25T00:00:00Z', '2026-10-25T01:00:00.000Z'],

    // No DST.
    ['Tokyo 09:00', cron('0 9 * * *', 'Asia/Tokyo'), '2026-03-08T00:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['Tokyo 09:00 the same day', cron('0 9 * * *', 'Asia/Tokyo'), '2026-10-31T23:59:59Z', '2026-11-01T00:00:00.000Z'],
    ['UTC 02:30 on the New York spring-forward date', cron('30 2 * * *'), '2026-03-08T00:00:00Z', '2026-03-08T02:30:00.000Z'],
  ])('%s', (_case, config, after, expected) => {
    expect(iso(cronStrategy.nextAfter(config, ms(after)))).toBe(expected);
  });
});

describe('cronStrategy wildcard fields across DST changes', () => {
  it('New York */30 through fall back', () => {
    expect(walk(cron('*/30 * * * *', 'America/New_York'), '2026-11-01T04:45:00Z', 7)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('New York */30 across spring forward', () => {
    expect(walk(cron('*/30 * * * *', 'America/New_York'), '2026-03-08T06:15:00Z', 4)).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('New York hourly twice at 01:00', () => {
    expect(walk(cron('0 * * * *', 'America/New_York'), '2026-11-01T03:30:00Z', 4)).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('London */15 through fall back', () => {
    expect(walk(cron('*/15 * * * *', 'Europe/London'), '2026-10-25T00:40:00Z', 6)).toEqual([
      '2026-10-25T00:45:00.000Z', // 01:45 BST
      '2026-10-25T01:00:00.000Z', // 01:00 GMT
      '2026-10-25T01:15:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T01:45:00.000Z',
      '2026-10-25T02:00:00.000Z', // 02:00 GMT
    ]);
  });

  it('London */15 across spring forward', () => {
    expect(walk(cron('*/15 * * * *', 'Europe/London'), '2026-03-29T00:40:00Z', 3)).toEqual([
      '2026-03-29T00:45:00.000Z', // 00:45 GMT
      '2026-03-29T01:00:00.000Z', // 02:00 BST
      '2026-03-29T01:15:00.000Z',
    ]);
  });

  it('Lord Howe */15 across the gap', () => {
    expect(walk(cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-10-03T14:50:00Z', 4)).toEqual([
      '2026-10-03T15:00:00.000Z', // 01:30 +10:30
      '2026-10-03T15:15:00.000Z', // 01:45 +10:30
      '2026-10-03T15:30:00.000Z', // 02:30 +11
      '2026-10-03T15:45:00.000Z',
    ]);
  });

  it('Lord Howe */15 through fall back', () => {
    expect(walk(cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-04-04T14:20:00Z', 5)).toEqual([
      '2026-04-04T14:30:00.000Z', // 01:30 +11
      '2026-04-04T14:45:00.000Z', // 01:45 +11
      '2026-04-04T15:00:00.000Z', // 01:30 +10:30
      '2026-04-04T15:15:00.000Z', // 01:45 +10:30
      '2026-04-04T15:30:00.000Z', // 02:00 +10:30
    ]);
  });

  it('Tokyo */15 keeps a 15-minute step', () => {
    const fires = walk(cron('*/15 * * * *', 'Asia/Tokyo'), '2026-03-08T00:00:00Z', 100).map((fire) => ms(fire!));

    expect(fires.every((fire, k) => fire === ms('2026-03-08T00:00:00Z') + k * 900_000)).toBe(true);
  });
});

describe('cronStrategy expression syntax', () => {
  it.each([
    [
      'OR of day-of-month and day-of-week: every 13th and every Friday',
      cron('0 0 13 * 5'),
      '2026-01-01T00:00:00Z',
      ['2026-01-02', '2026-01-09', '2026-01-13', '2026-01-16', '2026-01-23', '2026-01-30', '2026-02-06', '2026-02-13', '2026-02-20'],
    ],
    ['L: last day of the month, 29 February in 2028', cron('0 0 L * *'), '2028-01-15T00:00:00Z', ['2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']],
    ['L: 28 February in 2026', cron('0 0 L 2 *'), '2026-01-01T00:00:00Z', ['2026-02-28', '2027-02-28', '2028-02-29']],
    ['#: second Monday', cron('0 9 * * 1#2'), '2026-01-01T00:00:00Z', ['2026-01-12', '2026-02-09', '2026-03-09']],
    ['#: second Monday by name', cron('0 9 * * MON#2'), '2026-01-01T00:00:00Z', ['2026-01-12', '2026-02-09', '2026-03-09']],
    ['29 February: next in 2028', cron('0 0 29 2 *'), '2026-01-01T00:00:00Z', ['2028-02-29', '2032-02-29']],
    ['names: MON-FRI from a Saturday', cron('0 9 * * MON-FRI'), '2026-01-03T00:00:00Z', ['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-12']],
    ['names: JAN', cron('0 9 1 JAN *'), '2026-01-02T00:00:00Z', ['2027-01-01', '2028-01-01']],
    ['names in lower case', cron('0 9 * jan mon'), '2026-01-01T00:00:00Z', ['2026-01-05', '2026-01-12']],
    ['? as a wildcard', cron('0 9 ? * MON'), '2026-01-01T00:00:00Z', ['2026-01-05', '2026-01-12']],
    ['7 is Sunday', cron('0 0 * * 7'), '2026-01-01T00:00:00Z', ['2026-01-04', '2026-01-11']],
    ['W: weekday nearest the 15th', cron('0 0 15W * *'), '2026-02-01T00:00:00Z', ['2026-02-16', '2026-03-16', '2026-04-15']],
    ['@daily', cron('@daily'), '2026-01-01T00:00:01Z', ['2026-01-02', '2026-01-03']],
  ])('%s', (_case, config, from, expectedDays) => {
    const fires = walk(config, from, expectedDays.length);

    expect(fires.map((fire) => fire!.slice(0, 10))).toEqual(expectedDays);
  });

  it('*/40 restarts every hour', () => {
    expect(walk(cron('*/40 * * * *'), '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T01:40:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
  });

  it('6 fields: seconds first', () => {
    // 2026-01-02 is a Friday; 09:30 in Tokyo is 00:30Z.
    expect(walk(cron('*/20 30 9 * * MON-FRI', 'Asia/Tokyo'), '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-02T00:30:00.000Z',
      '2026-01-02T00:30:20.000Z',
      '2026-01-02T00:30:40.000Z',
      '2026-01-05T00:30:00.000Z',
    ]);
  });

  it('5 fields fire on second 0', () => {
    expect(walk(cron('* * * * *'), '2026-01-01T00:00:00.001Z', 2)).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']);
  });

  it('OR fires once on double matches', () => {
    // 2026-02-13 is a Friday and the 13th.
    const fires = walk(cron('0 0 13 * 5'), '2026-02-12T00:00:00Z', 3);

    expect(fires).toEqual(['2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z', '2026-02-27T00:00:00.000Z']);
  });

  it('+ makes day fields AND', () => {
    // The first of the month that is a Monday: June 2026, then February 2027.
    expect(walk(cron('0 12 1 * +MON'), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-06-01T12:00:00.000Z', '2027-02-01T12:00:00.000Z']);
  });
});

describe('cronStrategy milliseconds', () => {
  const everySecond = cron('* * * * * *');
  const everyMinute = cron('* * * * *');

  it.each([
    ['firstAtOrAfter on a fire', everyMinute, 'first', '2026-01-01T12:00:00.000Z', '2026-01-01T12:00:00.000Z'],
    ['firstAtOrAfter 1 ms past a fire', everyMinute, 'first', '2026-01-01T12:00:00.001Z', '2026-01-01T12:01:00.000Z'],
    ['firstAtOrAfter 1 ms before a fire', everyMinute, 'first', '2026-01-01T11:59:59.999Z', '2026-01-01T12:00:00.000Z'],
    ['firstAtOrAfter mid-second, per second', everySecond, 'first', '2026-01-01T12:00:00.500Z', '2026-01-01T12:00:01.000Z'],
    ['firstAtOrAfter on a second, per second', everySecond, 'first', '2026-01-01T12:00:01.000Z', '2026-01-01T12:00:01.000Z'],
    ['nextAfter on a fire', everyMinute, 'next', '2026-01-01T12:00:00.000Z', '2026-01-01T12:01:00.000Z'],
    ['nextAfter 1 ms before a fire', everyMinute, 'next', '2026-01-01T11:59:59.999Z', '2026-01-01T12:00:00.000Z'],
    ['nextAfter mid-second, per second', everySecond, 'next', '2026-01-01T12:00:00.500Z', '2026-01-01T12:00:01.000Z'],
    ['nextAfter 1 ms before a second, per second', everySecond, 'next', '2026-01-01T12:00:00.999Z', '2026-01-01T12:00:01.000Z'],
    ['lastAtOrBefore on a fire', everyMinute, 'last', '2026-01-01T12:00:00.000Z', '2026-01-01T12:00:00.000Z'],
    ['lastAtOrBefore 1 ms before a fire', everyMinute, 'last', '2026-01-01T11:59:59.999Z', '2026-01-01T11:59:00.000Z'],
    ['lastAtOrBefore 999 ms past a fire', everyMinute, 'last', '2026-01-01T12:00:00.999Z', '2026-01-01T12:00:00.000Z'],
    ['lastAtOrBefore mid-second, per second', everySecond, 'last', '2026-01-01T12:00:00.500Z', '2026-01-01T12:00:00.000Z'],
  ] as const)('%s', (_case, config, method, at, expected) => {
    const instant = ms(at);
    const result =
      method === 'first'
        ? cronStrategy.firstAtOrAfter(config, instant)
        : method === 'next'
          ? cronStrategy.nextAfter(config, instant)
          : cronStrategy.lastAtOrBefore(config, instant);

    expect(iso(result)).toBe(expected);
    expect(result! % 1_000).toBe(0);
  });
});

describe('cronStrategy.firstAtOrAfter across DST changes', () => {
  it.each([
    ['New York */30 at the second 01:00', cron('*/30 * * * *', 'America/New_York'), '2026-11-01T06:00:00Z', '2026-11-01T06:00:00.000Z'],
    ['New York */30 just after the second 01:00', cron('*/30 * * * *', 'America/New_York'), '2026-11-01T06:00:00.001Z', '2026-11-01T06:30:00.000Z'],
    ['New York 01:30 at its first pass', cron('30 1 * * *', 'America/New_York'), '2026-11-01T05:30:00Z', '2026-11-01T05:30:00.000Z'],
    ['New York 02:30 at the jump', cron('30 2 * * *', 'America/New_York'), '2026-03-08T07:00:00Z', '2026-03-08T07:00:00.000Z'],
    ['Lord Howe 02:15 at the jump', cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-03T15:30:00Z', '2026-10-03T15:30:00.000Z'],
  ])('%s', (_case, config, from, expected) => {
    expect(iso(cronStrategy.firstAtOrAfter(config, ms(from)))).toBe(expected);
  });
});

describe('cronStrategy.lastAtOrBefore across DST changes', () => {
  it.each([
    ['New York hourly in the second 01:00 hour', cron('0 * * * *', 'America/New_York'), '2026-11-01T06:30:00Z', '2026-11-01T06:00:00.000Z'],
    ['New York hourly just before the clock goes back', cron('0 * * * *', 'America/New_York'), '2026-11-01T05:59:59Z', '2026-11-01T05:00:00.000Z'],
    ['New York 01:30 from the second pass', cron('30 1 * * *', 'America/New_York'), '2026-11-01T06:45:00Z', '2026-11-01T05:30:00.000Z'],
    ['New York 02:30 after the jump', cron('30 2 * * *', 'America/New_York'), '2026-03-08T07:10:00Z', '2026-03-08T07:00:00.000Z'],
    ['New York 02:30 just before the jump', cron('30 2 * * *', 'America/New_York'), '2026-03-08T06:59:59Z', '2026-03-07T07:30:00.000Z'],
    ['Lord Howe 02:15 after the gap', cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-03T16:00:00Z', '2026-10-03T15:30:00.000Z'],
    ['Tokyo 09:00', cron('0 9 * * *', 'Asia/Tokyo'), '2026-03-08T23:59:59Z', '2026-03-08T00:00:00.000Z'],
  ])('%s', (_case, config, at, expected) => {
    expect(iso(cronStrategy.lastAtOrBefore(config, ms(at)))).toBe(expected);
  });

  it('*/30 backwards through fall back', () => {
    const config = cron('*/30 * * * *', 'America/New_York');
    const fires: (string | null)[] = [];
    let slot = cronStrategy.lastAtOrBefore(config, ms('2026-11-01T07:10:00Z'));
    for (let k = 0; k < 5 && slot !== null; k += 1) {
      fires.push(iso(slot));
      slot = cronStrategy.lastAtOrBefore(config, slot - 1);
    }

    expect(fires).toEqual([
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T05:00:00.000Z',
    ]);
  });
});

describe('cronStrategy.countBetween', () => {
  it.each([
    // Local days: New York 2026-11-01 lasts 25 hours, 2026-03-08 lasts 23.
    ['*/30 on the New York fall-back day', cron('*/30 * * * *', 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-02T04:59:59Z', 50],
    ['*/30 on the New York spring-forward day', cron('*/30 * * * *', 'America/New_York'), '2026-03-08T05:00:00Z', '2026-03-09T03:59:59Z', 46],
    ['01:30 on the New York fall-back day', cron('30 1 * * *', 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-02T04:59:59Z', 1],
    ['02:30 on the New York spring-forward day', cron('30 2 * * *', 'America/New_York'), '2026-03-08T05:00:00Z', '2026-03-09T03:59:59Z', 1],
    ['01:30 from inside the second pass', cron('30 1 * * *', 'America/New_York'), '2026-11-01T06:10:00Z', '2026-11-01T12:00:00Z', 0],
    ['*/15 on the Lord Howe fall-back day', cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-04-04T13:00:00Z', '2026-04-05T13:29:59Z', 98],
    ['*/15 on the Lord Howe spring-forward day', cron('*/15 * * * *', 'Australia/Lord_Howe'), '2026-10-03T13:30:00Z', '2026-10-04T12:59:59Z', 94],
    ['hourly over London fall back', cron('0 * * * *', 'Europe/London'), '2026-10-24T23:00:00Z', '2026-10-25T23:59:59Z', 25],
    // 52 Fridays and 12 thirteenths, 3 of them Fridays (February, March, November).
    ['every 13th or Friday in 2026', cron('0 0 13 * 5'), '2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z', 61],
    ['both ends included', cron('0 * * * *'), '2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z', 3],
    ['fractional ends', cron('0 * * * *'), '2026-01-01T00:00:00.001Z', '2026-01-01T01:59:59.999Z', 1],
    ['a single fire', cron('0 * * * *'), '2026-01-01T01:00:00Z', '2026-01-01T01:00:00Z', 1],
    ['from after to', cron('0 * * * *'), '2026-01-01T02:00:00Z', '2026-01-01T01:00:00Z', 0],
  ])('%s', (_case, config, from, to, expected) => {
    expect(cronStrategy.countBetween(config, ms(from), ms(to))).toBe(expected);
  });

  it('counts a DST week per second', () => {
    // 2026-10-29 00:00 EDT to 2026-11-05 00:00 EST: 7 days and 1 hour of real time.
    const started = performance.now();

    const count = cronStrategy.countBetween(cron('* * * * * *', 'America/New_York'), ms('2026-10-29T04:00:00Z'), ms('2026-11-05T04:59:59Z'));

    expect(count).toBe(7 * 86_400 + 3_600);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each([
    [cron('*/15 * * * *', 'America/New_York'), '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
    [cron('*/15 * * * *', 'America/New_York'), '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'],
    [cron('0,30 1,2 * * *', 'America/New_York'), '2026-02-25T00:00:00Z', '2026-03-15T00:00:00Z'],
    [cron('0,30 1,2 * * *', 'America/New_York'), '2026-10-25T00:00:00Z', '2026-11-08T00:00:00Z'],
    [cron('0 2,3 * * *', 'America/New_York'), '2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z'],
    [cron('30 1 * * *', 'Europe/London'), '2026-03-20T00:00:00Z', '2026-11-01T00:00:00Z'],
    [cron('0 * * * *', 'Europe/London'), '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z'],
    // Starts at 01:00Z, the time of day London changes its clocks, so a
    // whole number of days after the start falls exactly on the change.
    [cron('30 1 * * *', 'Europe/London'), '2026-03-30T01:00:00Z', '2026-10-25T01:30:00Z'],
    [cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-09-20T00:00:00Z', '2026-10-20T00:00:00Z'],
    [cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-03-25T00:00:00Z', '2026-04-15T00:00:00Z'],
    [cron('*/20 * 1-2 * * *', 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-01T09:00:00Z'],
    [cron('0 0-23/2 * * *', 'America/New_York'), '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
    [cron('30 0 * * *', 'America/Santiago'), '2026-03-01T00:00:00Z', '2026-10-01T00:00:00Z'],
    [cron('0 9 * * 1#2', 'Asia/Tokyo'), '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z'],
  ])('%j from %s to %s matches a walk', (config, from, to) => {
    const fires: number[] = [];
    for (let slot = cronStrategy.firstAtOrAfter(config, ms(from)); slot !== null && slot <= ms(to); slot = cronStrategy.nextAfter(config, slot)) {
      fires.push(slot);
    }

    expect(cronStrategy.countBetween(config, ms(from), ms(to))).toBe(fires.length);

    // Sub-ranges that start and end at, just before and just after fires.
    for (let k = 0; k + 3 < fires.length; k += Math.max(1, Math.floor(fires.length / 10))) {
      const from = fires[k]!;
      const to = fires[k + 3]!;
      expect(cronStrategy.countBetween(config, from, to)).toBe(4);
      expect(cronStrategy.countBetween(config, from + 1, to - 1)).toBe(2);
      expect(cronStrategy.countBetween(config, from - 1, to + 1)).toBe(4);
    }
  });
});

describe('cronStrategy config', () => {
  it('has no run limit', () => {
    expect(cronStrategy.maxRuns(cron('* * * * *'))).toBeNull();
  });

  it('is the strategy of CRON', () => {
    expect(strategyFor('CRON')).toBe(cronStrategy);
  });

  it('reuses a parsed expression', () => {
    expect(compileCron('0 9 * * *', 'Europe/Berlin')).toBe(compileCron('0 9 * * *', 'Europe/Berlin'));
    expect(compileCron('0 9 * * *', 'Europe/Berlin')).not.toBe(compileCron('0 9 * * *', 'Europe/London'));
  });

  it('throws for a corrupted stored expression', () => {
    expect(() => cronStrategy.firstAtOrAfter(cron('not a cron'), 0)).toThrow('Invalid cron expression "not a cron"');
  });
});
