import { describe, expect, it } from 'vitest';

import { onceStrategy, strategyFor } from '../src/index.js';
import type { OnceConfig } from '../src/index.js';

const day = 86_400_000;
const maxTimerDelayMs = 2 ** 31 - 1;

const now = Date.parse('2026-01-15T12:00:00.000Z');
// 40 days ahead: 3,456,000,000 ms, more than a JavaScript timer can hold.
const config: OnceConfig = { run_at: '2026-02-24T12:00:00.000Z' };
const runAt = Date.parse(config.run_at);

describe('onceStrategy 40 days ahead', () => {
  it('is further than a timer can wait', () => {
    expect(runAt - now).toBe(40 * day);
    expect(runAt - now).toBeGreaterThan(maxTimerDelayMs);
  });

  it.each([
    ['now', now],
    ['after the longest timer', now + maxTimerDelayMs],
    ['1 ms before run_at', runAt - 1],
    ['at run_at', runAt],
  ])('firstAtOrAfter from %s is run_at', (_case, from) => {
    expect(onceStrategy.firstAtOrAfter(config, from)).toBe(runAt);
  });

  it('has no fire before run_at', () => {
    expect(onceStrategy.lastAtOrBefore(config, runAt - 1)).toBeNull();
    expect(onceStrategy.countBetween(config, now, runAt - 1)).toBe(0);
  });
});

describe('onceStrategy', () => {
  it.each([
    ['firstAtOrAfter 1 ms after run_at', onceStrategy.firstAtOrAfter(config, runAt + 1), null],
    ['nextAfter 1 ms before run_at', onceStrategy.nextAfter(config, runAt - 1), runAt],
    ['nextAfter now', onceStrategy.nextAfter(config, now), runAt],
    ['nextAfter run_at', onceStrategy.nextAfter(config, runAt), null],
    ['lastAtOrBefore run_at', onceStrategy.lastAtOrBefore(config, runAt), runAt],
    ['lastAtOrBefore a day later', onceStrategy.lastAtOrBefore(config, runAt + day), runAt],
    ['countBetween around run_at', onceStrategy.countBetween(config, runAt - 1, runAt + 1), 1],
    ['countBetween at run_at only', onceStrategy.countBetween(config, runAt, runAt), 1],
    ['countBetween after run_at', onceStrategy.countBetween(config, runAt + 1, runAt + day), 0],
    ['maxRuns', onceStrategy.maxRuns(config), 1],
  ])('%s', (_case, result, expected) => {
    expect(result).toBe(expected);
  });

  it('keeps milliseconds of run_at', () => {
    const precise: OnceConfig = { run_at: '2026-02-24T12:00:00.250Z' };

    expect(onceStrategy.firstAtOrAfter(precise, now)).toBe(runAt + 250);
  });

  it('throws for a corrupted run_at', () => {
    expect(() => onceStrategy.firstAtOrAfter({ run_at: 'soon' }, now)).toThrow('Invalid ONCE run_at "soon"');
  });

  it('is the strategy of ONCE', () => {
    expect(strategyFor('ONCE')).toBe(onceStrategy);
  });
});
