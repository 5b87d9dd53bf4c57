import { describe, expect, it } from 'vitest';

import { describeCadence, describeCronExpression } from '../src/lib/cadence';
import { formatCountdown, formatSeconds } from '../src/lib/format';

describe('describeCadence', () => {
  it('describes intervals in their largest units', () => {
    const interval = (seconds: number) => describeCadence({ schedule_type: 'INTERVAL', schedule_config: { interval_seconds: seconds, start_time: '2026-01-01T00:00:00Z' }, timezone: 'UTC' });
    expect(interval(10)).toBe('every 10 s');
    expect(interval(300)).toBe('every 5 min');
    expect(interval(5_400)).toBe('every 1 h 30 min');
    expect(interval(86_400)).toBe('every 1 d');
    expect(interval(90)).toBe('every 1 min 30 s');
  });

  it('describes a weekday cron with its time zone', () => {
    const text = describeCadence({ schedule_type: 'CRON', schedule_config: { expression: '30 2 * * 1-5', timezone: 'Europe/London' }, timezone: 'Europe/London' });
    expect(text).toBe('at 02:30 on weekdays, Europe/London');
  });

  it('shows a cron it cannot word as the expression', () => {
    const text = describeCadence({ schedule_type: 'CRON', schedule_config: { expression: '0 9-17/2 * * *', timezone: 'UTC' }, timezone: 'UTC' });
    expect(text).toBe('cron 0 9-17/2 * * *, UTC');
  });

  it('shows a ONCE time in the schedule zone', () => {
    const text = describeCadence({ schedule_type: 'ONCE', schedule_config: { run_at: '2026-07-01T08:00:00.000Z' }, timezone: 'Europe/London' });
    expect(text).toBe('once at 2026-07-01 09:00:00, Europe/London');
  });

  it('describes a window with its bounds and max runs', () => {
    const text = describeCadence({
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2026-07-01T08:00:00.000Z', end_time: '2026-07-01T09:00:00.000Z', interval_seconds: 60, max_runs: 5 },
      timezone: 'UTC',
    });
    expect(text).toBe('every 1 min from 2026-07-01 08:00:00 to 2026-07-01 09:00:00, at most 5 runs, UTC');
  });
});

describe('describeCronExpression', () => {
  const cases: Array<[string, string | null]> = [
    ['* * * * *', 'every minute'],
    ['*/5 * * * *', 'every 5 min'],
    ['*/10 * * * * *', 'every 10 s'],
    ['15 * * * *', 'every hour at minute 15'],
    ['0 */6 * * *', 'every 6 h at minute 0'],
    ['0 9 * * *', 'at 09:00'],
    ['0 9,17 * * *', 'at 09:00 and 17:00'],
    ['30 2 * * MON-FRI', 'at 02:30 on weekdays'],
    ['0 10 * * 0,6', 'at 10:00 on weekends'],
    ['0 10 * * SAT,SUN', 'at 10:00 on weekends'],
    ['0 8 * * 1', 'at 08:00 on Monday'],
    ['0 8 * * 1,3,5', 'at 08:00 on Monday, Wednesday and Friday'],
    ['0 8 * * 5-7', 'at 08:00 on Sunday, Friday and Saturday'],
    ['0 0 1 * *', 'at 00:00 on day 1 of the month'],
    ['0 0 L * *', 'at 00:00 on the last day of the month'],
    ['0 0 1 * 1', 'at 00:00 on day 1 of the month or on Monday'],
    ['0 12 * 1,7 *', 'at 12:00 in January and July'],
    ['5 0 0 * * *', 'at 00:00:05'],
    ['0 0 * * 1#2', null],
    ['not a cron', null],
  ];
  for (const [expression, expected] of cases) {
    it(`words ${expression}`, () => {
      expect(describeCronExpression(expression)).toBe(expected);
    });
  }
});

describe('format helpers', () => {
  it('formats seconds', () => {
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(3_661)).toBe('1 h 1 min 1 s');
  });

  it('counts down to a time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(formatCountdown(new Date(now + 4_200), now)).toBe('in 5 s');
    expect(formatCountdown(new Date(now + 125_000), now)).toBe('in 2 min 05 s');
    expect(formatCountdown(new Date(now + 3 * 3_600_000 + 600_000), now)).toBe('in 3 h 10 min');
    expect(formatCountdown(new Date(now - 1_000), now)).toBe('due');
  });
});
