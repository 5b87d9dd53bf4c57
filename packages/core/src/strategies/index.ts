import type { ScheduleType } from '../schemas/enums.js';
import type { ScheduleConfig } from '../schemas/schedule.js';
import { cronStrategy } from './cron.js';
import { intervalStrategy } from './interval.js';
import { onceStrategy } from './once.js';
import type { ScheduleStrategy } from './strategy.js';
import { windowStrategy } from './window.js';

const strategies: Record<ScheduleType, ScheduleStrategy<never>> = {
  INTERVAL: intervalStrategy,
  WINDOW: windowStrategy,
  CRON: cronStrategy,
  ONCE: onceStrategy,
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
export type { CompiledCron } from './cron-expression.js';
export { CronExpressionError, compileCron, normalizeCronExpression } from './cron-expression.js';
export { cronStrategy, intervalStrategy, onceStrategy, windowStrategy };
