import { describe, expect, it } from 'vitest';

import { strategyFor, windowStrategy } from '../src/index.js';
import type { WindowConfig } from '../src/index.js';

const minute = 60_000;
const day = 86_400_000;

// Eleven slots, 12:00 to 12:10 inclusive; the end is exactly on the grid.
const config: WindowConfig = {
  start_time: '2026-01-15T12:00:00.000Z',
  end_time: '2026-01-15T12:10:00.000Z',
  interval_seconds: 60,
  max_runs: null,
};
const start = Date.parse(config.start_time);
const end = Date.parse(config.end_time);

// The same window closing at 12:10:30, off the grid: 12:10 is still the last slot.
const offGridEnd: WindowConfig = { ...config, end_time: '2026-01-15T12:10:30.000Z' };

describe('windowStrategy.firstAtOrAfter', () => {
  it.each([
    ['a day before the start', config, start - day, start],
    ['at the start', config, start, start],
    ['1 ms after the start', config, start + 1, start + minute],
    ['1 ms before the end', config, end - 1, end],
    ['at the end, which is inclusive', config, end, end],
    ['1 ms after the end', config, end + 1, null],
    ['a day after the end', config, end + day, null],
    ['off-grid end, after the last slot', offGridEnd, end + 1, null],
  ])('%s', (_case, window, from, expected) => {
    expect(windowStrategy.firstAtOrAfter(window, from)).toBe(expected);
  });
});

describe('windowStrategy.nextAfter', () => {
  it.each([
    ['1 ms before the start', config, start - 1, start],
    ['at the start', config, start, start + minute],
    ['at the slot before the end', config, end - minute, end],
    ['1 ms before the end', config, end - 1, end],
    ['at the end', config, end, null],
    ['after the end', config, end + day, null],
    ['off-grid end, at the last slot', offGridEnd, end, null],
  ])('%s', (_case, window, after, expected) => {
    expect(windowStrategy.nextAfter(window, after)).toBe(expected);
  });
});

describe('windowStrategy.lastAtOrBefore', () => {
  it.each([
    ['1 ms before the start', config, start - 1, null],
    ['at the start', config, start, start],
    ['between slots', config, start + 90_000, start + minute],
    ['at the end', config, end, end],
    ['a day after the end', config, end + day, end],
    ['off-grid end, a day after it', offGridEnd, end + day, end],
  ])('%s', (_case, window, at, expected) => {
    expect(windowStrategy.lastAtOrBefore(window, at)).toBe(expected);
  });
});

describe('windowStrategy.countBetween', () => {
  it.each([
    ['the whole window', config, start, end, 11],
    ['more than the whole window', config, start - day, end + day, 11],
    ['1 ms inside both ends', config, start + 1, end - 1, 9],
    ['only the end', config, end, end, 1],
    ['after the end', config, end + 1, end + day, 0],
    ['off-grid end, the whole window', offGridEnd, start, end + day, 11],
  ])('%s', (_case, window, from, to, expected) => {
    expect(windowStrategy.countBetween(window, from, to)).toBe(expected);
  });
});

describe('windowStrategy grid', () => {
  it.each([
    [null, null],
    [5, 5],
    [1, 1],
  ])('max_runs %s gives maxRuns %s', (maxRuns, expected) => {
    expect(windowStrategy.maxRuns({ ...config, max_runs: maxRuns })).toBe(expected);
  });

  it('walks every slot once', () => {
    const slots: number[] = [];
    for (let slot = windowStrategy.firstAtOrAfter(config, start - day); slot !== null; slot = windowStrategy.nextAfter(config, slot)) {
      slots.push(slot);
    }

    expect(slots).toHaveLength(11);
    expect(slots[0]).toBe(start);
    expect(slots[10]).toBe(end);
    expect(slots.every((slot, k) => slot === start + k * minute)).toBe(true);
  });

  it('1000th next slot is start + 1000 intervals', () => {
    const long: WindowConfig = {
      start_time: '2026-01-15T12:00:00.000Z',
      end_time: '2026-01-16T12:00:00.000Z',
      interval_seconds: 13,
      max_runs: null,
    };
    let slot = Date.parse(long.start_time);
    for (let k = 0; k < 1000; k += 1) slot = windowStrategy.nextAfter(long, slot)!;

    expect(slot).toBe(Date.parse(long.start_time) + 1000 * 13_000);
  });

  it('is the strategy of WINDOW', () => {
    expect(strategyFor('WINDOW')).toBe(windowStrategy);
  });
});
