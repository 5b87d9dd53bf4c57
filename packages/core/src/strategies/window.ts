import type { WindowConfig } from '../schemas/schedule.js';
import { gridCountBetween, gridFirstAtOrAfter, gridLastAtOrBefore, gridNextAfter, makeGrid } from './grid.js';
import type { Grid } from './grid.js';
import type { ScheduleStrategy } from './strategy.js';

function gridOf(config: WindowConfig): Grid {
  return makeGrid(Date.parse(config.start_time), config.interval_seconds * 1000, Date.parse(config.end_time));
}

/** WINDOW: the INTERVAL grid from start_time, never past end_time (inclusive), at most max_runs fires. */
export const windowStrategy: ScheduleStrategy<WindowConfig> = {
  firstAtOrAfter: (config, from) => gridFirstAtOrAfter(gridOf(config), from),
  nextAfter: (config, after) => gridNextAfter(gridOf(config), after),
  lastAtOrBefore: (config, at) => gridLastAtOrBefore(gridOf(config), at),
  countBetween: (config, from, to) => gridCountBetween(gridOf(config), from, to),
  maxRuns: (config) => config.max_runs,
};
