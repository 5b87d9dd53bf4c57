import { describe, expect, it } from 'vitest';

import { FakeClock, systemClock } from '../src/index.js';

describe('FakeClock', () => {
  it('moves only when set or advanced', () => {
    const clock = new FakeClock(Date.parse('2026-01-15T12:00:00.000Z'));

    expect(clock.now()).toBe(Date.parse('2026-01-15T12:00:00.000Z'));
    expect(clock.now()).toBe(Date.parse('2026-01-15T12:00:00.000Z'));

    clock.advance(1_500);
    expect(clock.now()).toBe(Date.parse('2026-01-15T12:00:01.500Z'));

    clock.advance(-500);
    expect(clock.now()).toBe(Date.parse('2026-01-15T12:00:01.000Z'));

    clock.set(0);
    expect(clock.now()).toBe(0);
  });
});

describe('systemClock', () => {
  it('reads Date.now', () => {
    const before = Date.now();
    const reading = systemClock.now();
    const after = Date.now();

    expect(reading).toBeGreaterThanOrEqual(before);
    expect(reading).toBeLessThanOrEqual(after);
  });
});
