import type { IntervalConfig } from '../schemas/schedule.js';
import { gridCountBetween, gridFirstAtOrAfter, gridLastAtOrBefore, gridNextAfter, makeGrid } from './grid.js';
import type { Grid } from './grid.js';
import type { ScheduleStrategy } from './strategy.js';

function gridOf(config: IntervalConfig): Grid {
  return makeGrid(Date.parse(config.start_time), config.interval_seconds * 1000, null);
}

/** INTERVAL: start_time + k·interval_seconds, forever. */
export const intervalStrategy: ScheduleStrategy<IntervalConfig> = {
  firstAtOrAfter: (config, from) => gridFirstAtOrAfter(gridOf(config), from),
  nextAfter: (config, after) => gridNextAfter(gridOf(config), after),
  lastAtOrBefore: (config, at) => gridLastAtOrBefore(gridOf(config), at),
  countBetween: (config, from, to) => gridCountBetween(gridOf(config), from, to),
  maxRuns: () => null,
};
