import type { ScheduleType } from '../schemas/enums.js';
import type { ScheduleConfig } from '../schemas/schedule.js';
import { intervalStrategy } from './interval.js';
import type { ScheduleStrategy } from './strategy.js';
import { windowStrategy } from './window.js';

// TODO: CRON and ONCE strategies are not built yet; resolveScheduleConfig
// rejects those types with a 422 until they are.
const strategies: Partial<Record<ScheduleType, ScheduleStrategy<never>>> = {
  INTERVAL: intervalStrategy,
  WINDOW: windowStrategy,
};

/** Returns the strategy of a schedule type; the config must have been resolved for that type. */
export function strategyFor(type: ScheduleType): ScheduleStrategy<ScheduleConfig> {
  const strategy = strategies[type];
  if (!strategy) throw new Error(`No strategy for schedule type ${type}`);
  return strategy as ScheduleStrategy<ScheduleConfig>;
}

export function isSupportedScheduleType(type: ScheduleType): boolean {
  return strategies[type] !== undefined;
}

export type { ScheduleStrategy };
export { intervalStrategy, windowStrategy };
