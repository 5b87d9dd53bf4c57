import type { OnceConfig } from '../schemas/schedule.js';
import type { ScheduleStrategy } from './strategy.js';

/** Reads run_at, and throws for a stored config whose run_at is not a time (a corrupted config). */
function runAtOf(config: OnceConfig): number {
  const runAt = Date.parse(config.run_at);
  if (!Number.isFinite(runAt)) throw new RangeError(`Invalid ONCE run_at "${config.run_at}"`);
  return runAt;
}

/** ONCE: a single fire at run_at, after which the schedule completes. */
export const onceStrategy: ScheduleStrategy<OnceConfig> = {
  firstAtOrAfter: (config, from) => {
    const runAt = runAtOf(config);
    return runAt >= from ? runAt : null;
  },
  nextAfter: (config, after) => {
    const runAt = runAtOf(config);
    return runAt > after ? runAt : null;
  },
  lastAtOrBefore: (config, at) => {
    const runAt = runAtOf(config);
    return runAt <= at ? runAt : null;
  },
  countBetween: (config, from, to) => {
    const runAt = runAtOf(config);
    return from <= runAt && runAt <= to ? 1 : 0;
  },
  maxRuns: () => 1,
};
