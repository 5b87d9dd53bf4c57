import type { CronConfig } from '../schemas/schedule.js';
import { countCronFires } from './count-cron-fires.js';
import { compileCron } from './cron-expression.js';
import type { ScheduleStrategy } from './strategy.js';

const SECOND_MS = 1_000;

const floorToSecond = (ms: number): number => Math.floor(ms / SECOND_MS) * SECOND_MS;
const ceilToSecond = (ms: number): number => Math.ceil(ms / SECOND_MS) * SECOND_MS;

/**
 * Returns croner's first fire strictly after `after`. croner fires on whole
 * seconds only, and callers pass it whole seconds, so the result never
 * depends on how croner rounds milliseconds.
 */
function fireAfterSecond(config: CronConfig, after: number): number | null {
  const next = compileCron(config.expression, config.timezone).cron.nextRun(new Date(after));
  return next === null ? null : next.getTime();
}

/**
 * CRON: the fires of a cron expression in an IANA time zone, computed by
 * croner with the options in cron-expression.ts. Every fire is a whole
 * second. Across DST changes a fixed time in a skipped hour fires when the
 * clock jumps, a fixed time in a repeated hour fires once, and wildcard or
 * stepped minute and hour fields fire by real elapsed time.
 */
export const cronStrategy: ScheduleStrategy<CronConfig> = {
  // A fire at or after `from` is a whole second at or after ceil(from), so
  // strictly after the second before it.
  firstAtOrAfter: (config, from) => fireAfterSecond(config, ceilToSecond(from) - SECOND_MS),
  nextAfter: (config, after) => fireAfterSecond(config, floorToSecond(after)),
  lastAtOrBefore: (config, at) => {
    const { cron } = compileCron(config.expression, config.timezone);
    // previousRuns returns fires strictly before its reference.
    const [previous] = cron.previousRuns(1, new Date(floorToSecond(at) + SECOND_MS));
    return previous === undefined ? null : previous.getTime();
  },
  countBetween: (config, from, to) => countCronFires(compileCron(config.expression, config.timezone).pattern, config.timezone, from, to),
  maxRuns: () => null,
};
