import { describe, expect, it } from 'vitest';

import { ValidationError, resolveScheduleConfig } from '../src/index.js';
import type { ScheduleType, ValidationIssue } from '../src/index.js';

// Every "now" in this file is this fixed instant, never the wall clock.
const now = Date.parse('2026-01-15T12:00:00.000Z');

function resolve(type: ScheduleType, raw: unknown, timezone = 'UTC') {
  return resolveScheduleConfig(type, raw, { now, timezone });
}

/** Returns the issues of the ValidationError that `run` throws, and fails the test if it throws nothing or something else. */
function issuesOf(run: () => unknown): ValidationIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('resolveScheduleConfig INTERVAL', () => {
  it.each([
    ['no start_time: one interval after now', { interval_seconds: 60 }, 'UTC', '2026-01-15T12:01:00.000Z'],
    ['no start_time, 1 day', { interval_seconds: 86_400 }, 'UTC', '2026-01-16T12:00:00.000Z'],
    ['start_time "now"', { interval_seconds: 60, start_time: 'now' }, 'UTC', '2026-01-15T12:00:00.000Z'],
    ['start_time "now + 5 minutes"', { interval_seconds: 60, start_time: 'now + 5 minutes' }, 'UTC', '2026-01-15T12:05:00.000Z'],
    ['start_time in the past is kept as the anchor', { interval_seconds: 60, start_time: '2020-01-01T00:00:00Z' }, 'UTC', '2020-01-01T00:00:00.000Z'],
    ['start_time with an offset', { interval_seconds: 60, start_time: '2026-03-01T09:00:00+05:30' }, 'UTC', '2026-03-01T03:30:00.000Z'],
    ['naive start_time in Europe/Berlin', { interval_seconds: 60, start_time: '2026-03-01T09:00' }, 'Europe/Berlin', '2026-03-01T08:00:00.000Z'],
    ['naive start_time in America/New_York', { interval_seconds: 60, start_time: '2026-07-01T09:00' }, 'America/New_York', '2026-07-01T13:00:00.000Z'],
    ['start_time with Z ignores the time zone', { interval_seconds: 60, start_time: '2026-07-01T09:00:00Z' }, 'America/New_York', '2026-07-01T09:00:00.000Z'],
  ])('%s', (_case, raw, timezone, expectedStart) => {
    expect(resolve('INTERVAL', raw, timezone)).toEqual({ interval_seconds: raw.interval_seconds, start_time: expectedStart });
  });
});

describe('resolveScheduleConfig WINDOW', () => {
  it('resolves a one-minute window', () => {
    const config = resolve('WINDOW', { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 10 });

    expect(config).toEqual({
      start_time: '2026-01-15T12:00:00.000Z',
      end_time: '2026-01-15T12:01:00.000Z',
      interval_seconds: 10,
      max_runs: null,
    });
  });

  it.each([
    ['max_runs given', { max_runs: 5 }, 5],
    ['max_runs null', { max_runs: null }, null],
    ['max_runs absent', {}, null],
  ])('keeps %s', (_case, extra, expected) => {
    const config = resolve('WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60, ...extra });

    expect(config).toHaveProperty('max_runs', expected);
  });

  it('accepts an interval equal to the window', () => {
    const config = resolve('WINDOW', { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 60 });

    expect(config).toHaveProperty('interval_seconds', 60);
  });

  it('accepts a started, still open window', () => {
    const config = resolve('WINDOW', { start_time: 'now - 1 hour', end_time: 'now + 1 hour', interval_seconds: 60 });

    expect(config).toHaveProperty('start_time', '2026-01-15T11:00:00.000Z');
    expect(config).toHaveProperty('end_time', '2026-01-15T13:00:00.000Z');
  });

  it('reads naive times in the schedule time zone', () => {
    const config = resolve(
      'WINDOW',
      { start_time: '2026-07-01T09:00', end_time: '2026-07-01T17:00', interval_seconds: 3600 },
      'Europe/Berlin',
    );

    expect(config).toHaveProperty('start_time', '2026-07-01T07:00:00.000Z');
    expect(config).toHaveProperty('end_time', '2026-07-01T15:00:00.000Z');
  });
});

describe('resolveScheduleConfig rejects', () => {
  it('an interval longer than the window', () => {
    const issues = issuesOf(() => resolve('WINDOW', { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 }));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'interval_seconds'],
        msg: 'Rate (Interval 3600s) cannot be greater than the Window duration',
        type: 'value_error',
      },
    ]);
  });

  it('an interval 1 s too long', () => {
    const issues = issuesOf(() => resolve('WINDOW', { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 61 }));

    expect(issues[0]!.msg).toBe('Rate (Interval 61s) cannot be greater than the Window duration');
  });

  it.each([
    ['end before start', { start_time: 'now', end_time: 'now - 1 minute', interval_seconds: 10 }],
    ['end equal to start', { start_time: '2026-02-01T00:00:00Z', end_time: '2026-02-01T00:00:00Z', interval_seconds: 10 }],
    ['end equal to start across offsets', { start_time: '2026-02-01T02:00:00+02:00', end_time: '2026-02-01T00:00:00Z', interval_seconds: 10 }],
  ])('%s', (_case, raw) => {
    const issues = issuesOf(() => resolve('WINDOW', raw));

    expect(issues).toEqual([{ loc: ['schedule_config', 'end_time'], msg: 'end_time must be after start_time', type: 'value_error' }]);
  });

  it('a window that has already ended', () => {
    const issues = issuesOf(() => resolve('WINDOW', { start_time: 'now - 2 hours', end_time: 'now - 1 hour', interval_seconds: 10 }));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'end_time'],
        msg: 'The window has already ended: end_time 2026-01-15T11:00:00.000Z is in the past',
        type: 'value_error',
      },
    ]);
  });

  it.each([
    ['INTERVAL', { interval_seconds: 60, extra: 1 }, ['schedule_config', 'extra'], 'unrecognized_keys'],
    ['INTERVAL', { interval_seconds: 60, end_time: 'now' }, ['schedule_config', 'end_time'], 'unrecognized_keys'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60, timezone: 'UTC' }, ['schedule_config', 'timezone'], 'unrecognized_keys'],
    ['INTERVAL', {}, ['schedule_config', 'interval_seconds'], 'missing'],
    ['INTERVAL', { start_time: 'now' }, ['schedule_config', 'interval_seconds'], 'missing'],
    ['INTERVAL', { interval_seconds: '60' }, ['schedule_config', 'interval_seconds'], 'invalid_type'],
    ['INTERVAL', { interval_seconds: 1.5 }, ['schedule_config', 'interval_seconds'], 'invalid_type'],
    ['INTERVAL', { interval_seconds: 0 }, ['schedule_config', 'interval_seconds'], 'too_small'],
    ['INTERVAL', { interval_seconds: 31_622_401 }, ['schedule_config', 'interval_seconds'], 'too_big'],
    ['INTERVAL', { interval_seconds: 60, start_time: 5 }, ['schedule_config', 'start_time'], 'invalid_type'],
    ['INTERVAL', { interval_seconds: 60, start_time: 'tomorrow' }, ['schedule_config', 'start_time'], 'time_error'],
    ['INTERVAL', { interval_seconds: 60, start_time: 'now + 999999999 days' }, ['schedule_config', 'start_time'], 'time_error'],
    ['INTERVAL', null, ['schedule_config'], 'invalid_type'],
    ['INTERVAL', [60], ['schedule_config'], 'invalid_type'],
    ['WINDOW', { start_time: 'now', interval_seconds: 10 }, ['schedule_config', 'end_time'], 'missing'],
    ['WINDOW', { end_time: 'now + 1 hour', interval_seconds: 10 }, ['schedule_config', 'start_time'], 'missing'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour' }, ['schedule_config', 'interval_seconds'], 'missing'],
    ['WINDOW', { start_time: 'now', end_time: 5, interval_seconds: 10 }, ['schedule_config', 'end_time'], 'invalid_type'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 2 weeks', interval_seconds: 10 }, ['schedule_config', 'end_time'], 'time_error'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: 0 }, ['schedule_config', 'max_runs'], 'too_small'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: 2.5 }, ['schedule_config', 'max_runs'], 'invalid_type'],
  ] as const)('%s %j at %j', (type, raw, loc, issueType) => {
    const issues = issuesOf(() => resolve(type, raw));

    expect(issues).toHaveLength(1);
    expect(issues[0]!.loc).toEqual(loc);
    expect(issues[0]!.type).toBe(issueType);
  });

  it.each([
    [{ interval_seconds: 0 }, 'interval_seconds must be at least 1'],
    [{}, 'Field required'],
    [{ interval_seconds: '60' }, 'interval_seconds must be a number of seconds'],
    [{ interval_seconds: 1.5 }, 'interval_seconds must be a whole number of seconds'],
    [{ interval_seconds: 60, extra: 1 }, 'Unrecognized key "extra"'],
  ])('INTERVAL %j with message %j', (raw, message) => {
    const issues = issuesOf(() => resolve('INTERVAL', raw));

    expect(issues[0]!.msg).toBe(message);
  });

  it.each([
    ['INTERVAL', { interval_seconds: 1e20 }, 'interval_seconds must be at most 31622400 (366 days)'],
    ['INTERVAL', { interval_seconds: 1e308 }, 'interval_seconds must be at most 31622400 (366 days)'],
    ['INTERVAL', { interval_seconds: -1e20 }, 'interval_seconds must be at least 1'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: 1e100 }, 'max_runs must be at most 1000000000'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: 0 }, 'max_runs must be at least 1'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: 2.5 }, 'max_runs must be a whole number'],
    ['WINDOW', { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10, max_runs: '3' }, 'max_runs must be a number'],
    ['WINDOW', { start_time: 5, end_time: 'now + 1 hour', interval_seconds: 10 }, 'start_time must be a time: ISO 8601, "now" or "now + N minutes"'],
    ['WINDOW', { start_time: 'x'.repeat(65), end_time: 'now + 1 hour', interval_seconds: 10 }, 'start_time is longer than 64 characters'],
  ] as const)('%s %j has the one issue %j', (type, raw, message) => {
    const issues = issuesOf(() => resolve(type, raw));

    expect(issues.map((issue) => issue.msg)).toEqual([message]);
  });

  it.each([['start_time'], ['end_time']])('WINDOW without %s reports Field required', (field) => {
    const raw: Record<string, unknown> = { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 10 };
    delete raw[field];

    const issues = issuesOf(() => resolve('WINDOW', raw));

    expect(issues).toEqual([{ loc: ['schedule_config', field], msg: 'Field required', type: 'missing' }]);
  });

  it('reports each unknown key at its own location', () => {
    const issues = issuesOf(() => resolve('INTERVAL', { interval_seconds: 60, bogus: 1, other: 2 }));

    expect(issues).toEqual([
      { loc: ['schedule_config', 'bogus'], msg: 'Unrecognized key "bogus"', type: 'unrecognized_keys' },
      { loc: ['schedule_config', 'other'], msg: 'Unrecognized key "other"', type: 'unrecognized_keys' },
    ]);
  });

  it.each([['Mars/Olympus_Mons'], ['Europe/Londn'], ['']])('unknown time zone %j', (timezone) => {
    const issues = issuesOf(() => resolve('INTERVAL', { interval_seconds: 60 }, timezone));

    expect(issues).toEqual([
      {
        loc: ['timezone'],
        msg: `Unknown time zone "${timezone}": use an IANA name such as UTC or Europe/Berlin`,
        type: 'timezone_error',
      },
    ]);
  });

});

describe('resolveScheduleConfig schedule_type', () => {
  it('rejects an unknown type', () => {
    const issues = issuesOf(() => resolve('DAILY' as ScheduleType, {}));

    expect(issues).toEqual([{ loc: ['schedule_type'], msg: 'Unknown schedule_type DAILY: use one of INTERVAL, WINDOW, CRON, ONCE', type: 'enum' }]);
  });
});

describe('resolveScheduleConfig CRON', () => {
  it.each([
    ['no timezone: the schedule timezone', { expression: '*/5 * * * *' }, 'UTC', { expression: '*/5 * * * *', timezone: 'UTC' }],
    ['no timezone in Europe/Berlin', { expression: '0 9 * * MON-FRI' }, 'Europe/Berlin', { expression: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' }],
    ['the same timezone twice', { expression: '0 9 * * *', timezone: 'Asia/Tokyo' }, 'Asia/Tokyo', { expression: '0 9 * * *', timezone: 'Asia/Tokyo' }],
    ['extra whitespace collapsed', { expression: '  0   9 * *\tMON ' }, 'UTC', { expression: '0 9 * * MON', timezone: 'UTC' }],
    ['6 fields with seconds', { expression: '*/10 * * * * *' }, 'UTC', { expression: '*/10 * * * * *', timezone: 'UTC' }],
    ['L, # and ?', { expression: '0 0 L * ?' }, 'UTC', { expression: '0 0 L * ?', timezone: 'UTC' }],
    ['nth weekday', { expression: '0 9 ? * MON#2' }, 'UTC', { expression: '0 9 ? * MON#2', timezone: 'UTC' }],
    ['29 February', { expression: '0 0 29 2 *' }, 'UTC', { expression: '0 0 29 2 *', timezone: 'UTC' }],
    ['a nickname', { expression: '@daily' }, 'UTC', { expression: '@daily', timezone: 'UTC' }],
  ])('%s', (_case, raw, timezone, expected) => {
    expect(resolve('CRON', raw, timezone)).toEqual(expected);
  });

  it.each([
    ['61 * * * *', 'minute 61 is out of range 0-59'],
    ['* 24 * * *', 'hour 24 is out of range 0-23'],
    ['* * 32 * *', 'day-of-month 32 is out of range 1-31'],
    ['* * 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['* * * 13 *', 'month 13 is out of range 1-12'],
    ['* * * * 8', 'day-of-week 8 is out of range 0-7 (0 and 7 are Sunday)'],
    ['60 * * * * *', 'second 60 is out of range 0-59'],
    ['*/0 * * * *', 'minute step 0 is out of range 1-60'],
    ['5-1 * * * *', 'minute range 5-1 runs backwards: write the lower value first'],
    ['* * * FOO *', 'month field has an unknown name "FOO": use JAN-DEC'],
    ['0 9 * * MOX', 'day-of-week field has an unknown name "MOX": use SUN-SAT'],
    ['0 9 * * 1#6', 'day-of-week "1#6": the number after # must be 1-5 (the nth weekday of the month) or L'],
    ['1,,2 * * * *', 'minute field "1,,2" has an empty list item'],
    ['a * * * *', 'minute field has "a", but may contain only digits and * ? , - /'],
    ['0:30 * * * *', 'minute field "0:30" may contain only digits and * ? , - /'],
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 4'],
    ['* * * * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 7'],
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 0'],
    ['2026-05-01T09:00:00Z', 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 1'],
    ['@reboot', 'unknown nickname: use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or 5 fields'],
  ])('rejects %j', (expression, problem) => {
    const issues = issuesOf(() => resolve('CRON', { expression }));

    expect(issues).toEqual([
      { loc: ['schedule_config', 'expression'], msg: `Invalid cron expression "${expression}": ${problem}`, type: 'cron_error' },
    ]);
  });

  it.each([
    ['0 0 30 2 *', '30 February'],
    ['0 0 31 4,6,9,11 *', '31st of 30-day months'],
    ['0 0 1-7 * +MON#2', 'the second Monday within the 1st-7th'],
  ])('rejects %j, which never fires (%s)', (expression) => {
    const issues = issuesOf(() => resolve('CRON', { expression }));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'expression'],
        msg: `Cron expression "${expression}" never fires: no date matches its day-of-month, month and day-of-week fields`,
        type: 'cron_error',
      },
    ]);
  });

  it('rejects a config timezone that differs from the schedule', () => {
    const issues = issuesOf(() => resolve('CRON', { expression: '0 9 * * *', timezone: 'Europe/London' }, 'Europe/Paris'));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'timezone'],
        msg: `schedule_config.timezone "Europe/London" must match the schedule's timezone "Europe/Paris": set only the schedule's timezone`,
        type: 'timezone_error',
      },
    ]);
  });

  it('rejects an unknown config timezone by name', () => {
    const issues = issuesOf(() => resolve('CRON', { expression: '0 9 * * *', timezone: 'Mars/Olympus_Mons' }));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'timezone'],
        msg: 'Unknown time zone "Mars/Olympus_Mons": use an IANA name such as UTC or Europe/Berlin',
        type: 'timezone_error',
      },
    ]);
  });

  it.each([
    [{}, ['schedule_config', 'expression'], 'missing'],
    [{ expression: 5 }, ['schedule_config', 'expression'], 'invalid_type'],
    [{ expression: `${'1,'.repeat(100)}1 * * * *` }, ['schedule_config', 'expression'], 'too_big'],
    [{ expression: '* * * * *', interval_seconds: 60 }, ['schedule_config', 'interval_seconds'], 'unrecognized_keys'],
    [{ expression: '* * * * *', timezone: '' }, ['schedule_config', 'timezone'], 'too_small'],
  ])('%j at %j', (raw, loc, issueType) => {
    const issues = issuesOf(() => resolve('CRON', raw));

    expect(issues).toHaveLength(1);
    expect(issues[0]!.loc).toEqual(loc);
    expect(issues[0]!.type).toBe(issueType);
  });
});

describe('resolveScheduleConfig ONCE', () => {
  it.each([
    ['"now"', 'now', 'UTC', '2026-01-15T12:00:00.000Z'],
    ['"now + 40 days"', 'now + 40 days', 'UTC', '2026-02-24T12:00:00.000Z'],
    ['an instant with Z', '2026-03-01T09:00:00Z', 'America/New_York', '2026-03-01T09:00:00.000Z'],
    ['a naive time in the schedule timezone', '2026-07-01T09:00', 'Europe/Berlin', '2026-07-01T07:00:00.000Z'],
    ['a naive time inside the New York DST gap', '2026-03-08T02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['1 second in the past, which becomes now', 'now - 1 second', 'UTC', '2026-01-15T12:00:00.000Z'],
  ])('resolves %s', (_case, runAt, timezone, expected) => {
    expect(resolve('ONCE', { run_at: runAt }, timezone)).toEqual({ run_at: expected });
  });

  it('rejects a run_at more than a second in the past', () => {
    const issues = issuesOf(() => resolve('ONCE', { run_at: 'now - 2 seconds' }));

    expect(issues).toEqual([
      {
        loc: ['schedule_config', 'run_at'],
        msg: 'run_at 2026-01-15T11:59:58.000Z is in the past: use a later time, or "now" to fire at once',
        type: 'value_error',
      },
    ]);
  });

  it.each([
    [{}, ['schedule_config', 'run_at'], 'missing'],
    [{ run_at: 5 }, ['schedule_config', 'run_at'], 'invalid_type'],
    [{ run_at: 'tomorrow' }, ['schedule_config', 'run_at'], 'time_error'],
    [{ run_at: '2026-02-30T09:00' }, ['schedule_config', 'run_at'], 'time_error'],
    [{ run_at: 'now', timezone: 'UTC' }, ['schedule_config', 'timezone'], 'unrecognized_keys'],
  ])('%j at %j', (raw, loc, issueType) => {
    const issues = issuesOf(() => resolve('ONCE', raw));

    expect(issues).toHaveLength(1);
    expect(issues[0]!.loc).toEqual(loc);
    expect(issues[0]!.type).toBe(issueType);
  });
});
