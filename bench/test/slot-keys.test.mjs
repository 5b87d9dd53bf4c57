import { describe, expect, it } from 'vitest';

import { assertEverySlotOnce, compareSlotKeys, plannedSlotKeys } from '../lib/slot-keys.mjs';

const schedules = [
  { id: 'a', firstPlannedMs: 1_000 },
  { id: 'b', firstPlannedMs: 1_500 },
];

describe('plannedSlotKeys', () => {
  it('lists slots up to and including the limit', () => {
    expect(plannedSlotKeys(schedules, 1, 3_000)).toEqual(['a:1000', 'a:2000', 'a:3000', 'b:1500', 'b:2500']);
  });

  it('skips schedules whose first slot is later', () => {
    expect(plannedSlotKeys(schedules, 1, 1_200)).toEqual(['a:1000']);
  });
});

describe('compareSlotKeys', () => {
  it('accepts every required slot once', () => {
    const comparison = compareSlotKeys({ 'a:1000': 1, 'b:1500': 1 }, ['a:1000', 'b:1500']);

    expect(comparison.duplicate_keys).toBe(0);
    expect(comparison.missing_keys).toBe(0);
    expect(comparison.unexpected_keys).toBe(0);
    expect(() => assertEverySlotOnce(comparison, 'run')).not.toThrow();
  });

  it('allows optional slots to be missing or present', () => {
    const comparison = compareSlotKeys({ 'a:1000': 1, 'a:2000': 1 }, ['a:1000'], ['a:2000', 'b:1500']);

    expect(comparison.missing_keys).toBe(0);
    expect(comparison.unexpected_keys).toBe(0);
  });

  it('reports duplicate, missing and unexpected keys', () => {
    const comparison = compareSlotKeys({ 'a:1000': 2, 'c:1': 1 }, ['a:1000', 'b:1500']);

    expect(comparison.duplicate_keys).toBe(1);
    expect(comparison.missing_keys).toBe(1);
    expect(comparison.unexpected_keys).toBe(1);
    expect(comparison.examples).toEqual({ duplicates: ['a:1000 ×2'], missing: ['b:1500'], unexpected: ['c:1'] });
    expect(() => assertEverySlotOnce(comparison, 'run')).toThrow(/run: 1 duplicate, 1 missing and 1 unexpected/);
  });
});
