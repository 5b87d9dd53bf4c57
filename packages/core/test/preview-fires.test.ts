import { describe, expect, it } from 'vitest';

import { previewFires } from '../src/index.js';
import type { CronConfig, IntervalConfig, OnceConfig, PreviewInput, WindowConfig } from '../src/index.js';

const minute = 60_000;
const start = Date.parse('2026-01-15T12:00:00.000Z');
const at = (offsetMs: number): number => start + offsetMs;

const everyMinute: IntervalConfig = { interval_seconds: 60, start_time: '2026-01-15T12:00:00.000Z' };
// Eleven slots, 12:00 to 12:10 inclusive, at most five fires.
const window: WindowConfig = { start_time: '2026-01-15T12:00:00.000Z', end_time: '2026-01-15T12:10:00.000Z', interval_seconds: 60, max_runs: 5 };
const unlimitedWindow: WindowConfig = { ...window, max_runs: null };
const once: OnceConfig = { run_at: '2026-01-15T12:30:00.000Z' };
const newYorkNightly: CronConfig = { expression: '30 2 * * *', timezone: 'America/New_York' };

const iso = (instants: number[]): string[] => instants.map((instant) => new Date(instant).toISOString());

describe('previewFires', () => {
  it.each([
    ['INTERVAL from its start', { schedule_type: 'INTERVAL', schedule_config: everyMinute, from: start, count: 3 }, [at(0), at(minute), at(2 * minute)]],
    ['INTERVAL between slots', { schedule_type: 'INTERVAL', schedule_config: everyMinute, from: at(1), count: 2 }, [at(minute), at(2 * minute)]],
    ['INTERVAL with remaining runs', { schedule_type: 'INTERVAL', schedule_config: everyMinute, from: start, count: 5, remainingRuns: 2 }, [at(0), at(minute)]],
    ['WINDOW stops at max_runs', { schedule_type: 'WINDOW', schedule_config: window, from: start, count: 100 }, [0, 1, 2, 3, 4].map((k) => at(k * minute))],
    ['WINDOW with 2 runs left', { schedule_type: 'WINDOW', schedule_config: window, from: at(3 * minute), count: 100, remainingRuns: 2 }, [at(3 * minute), at(4 * minute)]],
    ['WINDOW stops at its end', { schedule_type: 'WINDOW', schedule_config: unlimitedWindow, from: at(8 * minute), count: 100 }, [at(8 * minute), at(9 * minute), at(10 * minute)]],
    ['WINDOW after its end', { schedule_type: 'WINDOW', schedule_config: unlimitedWindow, from: at(10 * minute + 1), count: 100 }, []],
    ['ONCE before run_at', { schedule_type: 'ONCE', schedule_config: once, from: start, count: 10 }, [at(30 * minute)]],
    ['ONCE at run_at', { schedule_type: 'ONCE', schedule_config: once, from: at(30 * minute), count: 10 }, [at(30 * minute)]],
    ['ONCE after run_at', { schedule_type: 'ONCE', schedule_config: once, from: at(30 * minute + 1), count: 10 }, []],
    ['ONCE already fired', { schedule_type: 'ONCE', schedule_config: once, from: start, count: 10, remainingRuns: 0 }, []],
    ['count 0', { schedule_type: 'INTERVAL', schedule_config: everyMinute, from: start, count: 0 }, []],
    ['no run left', { schedule_type: 'WINDOW', schedule_config: window, from: start, count: 10, remainingRuns: 0 }, []],
    ['no run limit overrides max_runs', { schedule_type: 'WINDOW', schedule_config: window, from: at(9 * minute), count: 10, remainingRuns: null }, [at(9 * minute), at(10 * minute)]],
  ] satisfies [string, PreviewInput, number[]][])('%s', (_case, input, expected) => {
    expect(previewFires(input)).toEqual(expected);
  });

  it('CRON across spring forward in New York', () => {
    const fires = previewFires({ schedule_type: 'CRON', schedule_config: newYorkNightly, from: Date.parse('2026-03-07T00:00:00Z'), count: 3 });

    // 02:30 EST, then 03:00 EDT when 02:30 does not exist, then 02:30 EDT.
    expect(iso(fires)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('CRON lists 1000 fires in order', () => {
    const fires = previewFires({ schedule_type: 'CRON', schedule_config: { expression: '*/5 * * * *', timezone: 'UTC' }, from: start + 1, count: 1000 });

    expect(fires).toHaveLength(1000);
    expect(fires[0]).toBe(at(5 * minute));
    expect(fires.every((fire, k) => fire === at((k + 1) * 5 * minute))).toBe(true);
  });

  it.each([[-1], [1.5], [Number.NaN]])('rejects count %s', (count) => {
    expect(() => previewFires({ schedule_type: 'INTERVAL', schedule_config: everyMinute, from: start, count })).toThrow(RangeError);
  });
});
