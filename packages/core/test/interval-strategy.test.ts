import { describe, expect, it } from 'vitest';

import { intervalStrategy, strategyFor } from '../src/index.js';
import type { IntervalConfig } from '../src/index.js';

const minute = 60_000;
const day = 86_400_000;

// Slots at 12:00:00, 12:01:00, 12:02:00, … on 2026-01-15 and after.
const config: IntervalConfig = { interval_seconds: 60, start_time: '2026-01-15T12:00:00.000Z' };
const anchor = Date.parse(config.start_time);

describe('intervalStrategy.firstAtOrAfter', () => {
  it.each([
    ['a day before the anchor', anchor - day, anchor],
    ['1 ms before the anchor', anchor - 1, anchor],
    ['at the anchor', anchor, anchor],
    ['1 ms after the anchor', anchor + 1, anchor + minute],
    ['1 ms before a slot', anchor + minute - 1, anchor + minute],
    ['at a slot', anchor + minute, anchor + minute],
    ['1 ms after a slot', anchor + minute + 1, anchor + 2 * minute],
    ['a day after the anchor', anchor + day, anchor + day],
  ])('%s', (_case, from, expected) => {
    expect(intervalStrategy.firstAtOrAfter(config, from)).toBe(expected);
  });
});

describe('intervalStrategy.nextAfter', () => {
  it.each([
    ['a day before the anchor', anchor - day, anchor],
    ['1 ms before the anchor', anchor - 1, anchor],
    ['at the anchor', anchor, anchor + minute],
    ['1 ms after the anchor', anchor + 1, anchor + minute],
    ['1 ms before a slot', anchor + minute - 1, anchor + minute],
    ['at a slot', anchor + minute, anchor + 2 * minute],
    ['a year after the anchor', anchor + 365 * day, anchor + 365 * day + minute],
  ])('%s', (_case, after, expected) => {
    expect(intervalStrategy.nextAfter(config, after)).toBe(expected);
  });
});

describe('intervalStrategy.lastAtOrBefore', () => {
  it.each([
    ['a day before the anchor', anchor - day, null],
    ['1 ms before the anchor', anchor - 1, null],
    ['at the anchor', anchor, anchor],
    ['1 ms after the anchor', anchor + 1, anchor],
    ['1 ms before a slot', anchor + minute - 1, anchor],
    ['at a slot', anchor + minute, anchor + minute],
    ['a day after the anchor', anchor + day + 30_000, anchor + day],
  ])('%s', (_case, at, expected) => {
    expect(intervalStrategy.lastAtOrBefore(config, at)).toBe(expected);
  });
});

describe('intervalStrategy.countBetween', () => {
  it.each([
    ['only the anchor', anchor, anchor, 1],
    ['entirely before the anchor', anchor - day, anchor - 1, 0],
    ['from before the anchor to the anchor', anchor - day, anchor, 1],
    ['two slots, both on the ends', anchor, anchor + minute, 2],
    ['two slots, 1 ms inside either end', anchor - 1, anchor + minute + 1, 2],
    ['no slot, 1 ms inside both slots', anchor + 1, anchor + minute - 1, 0],
    ['one hour', anchor, anchor + 60 * minute, 61],
    ['one day', anchor, anchor + day, 1441],
    ['end before start', anchor + 10 * minute, anchor, 0],
  ])('%s', (_case, from, to, expected) => {
    expect(intervalStrategy.countBetween(config, from, to)).toBe(expected);
  });
});

describe('intervalStrategy grid', () => {
  it('has no max_runs', () => {
    expect(intervalStrategy.maxRuns(config)).toBeNull();
  });

  it('1000th next slot is start + 1000 intervals', () => {
    const odd: IntervalConfig = { interval_seconds: 7, start_time: '2026-01-15T12:00:00.250Z' };
    let slot = Date.parse(odd.start_time);
    for (let k = 0; k < 1000; k += 1) slot = intervalStrategy.nextAfter(odd, slot)!;

    expect(new Date(slot).toISOString()).toBe('2026-01-15T13:56:40.250Z');
    expect(slot).toBe(Date.parse(odd.start_time) + 1000 * 7_000);
  });

  it('is the strategy of INTERVAL', () => {
    expect(strategyFor('INTERVAL')).toBe(intervalStrategy);
  });
});
