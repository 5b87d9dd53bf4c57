import { formatInZone, previewFires, strategyFor } from '@api-scheduler/core';
import type { Schedule, ScheduleConfig, ScheduleType } from '@api-scheduler/core';

export interface PreviewFire {
  at: Date;
  /** `at` in the schedule's time zone, ISO 8601 with its offset. */
  local: string;
}

export interface PreviewRequest {
  type: ScheduleType;
  config: ScheduleConfig;
  timezone: string;
  /** The first fire is the first slot at or after this instant, Unix milliseconds. */
  from: number;
  count: number;
  /** Fires made so far, which count toward max_runs. */
  runCount: number;
}

/** Lists up to `count` planned fires from `from`, stopping where max_runs or the schedule's last slot ends them. */
export function previewSlots(request: PreviewRequest): PreviewFire[] {
  const maxRuns = strategyFor(request.type).maxRuns(request.config);
  const remainingRuns = maxRuns === null ? null : Math.max(0, maxRuns - request.runCount);

  const instants = previewFires({
    schedule_type: request.type,
    schedule_config: request.config,
    from: request.from,
    count: request.count,
    remainingRuns,
  });
  return instants.map((ms) => ({ at: new Date(ms), local: formatInZone(ms, request.timezone) }));
}

/**
 * Lists the next fires of a stored schedule. An ACTIVE schedule starts at its
 * next_run_at. A PAUSED one starts at the first slot at or after `now`,
 * which is where resume would plan it. A COMPLETED one has none.
 */
export function previewSchedule(schedule: Schedule, now: number, count: number): PreviewFire[] {
  if (schedule.status === 'COMPLETED') return [];

  const from = schedule.status === 'ACTIVE' ? schedule.next_run_at?.getTime() : now;
  if (from === undefined) return [];

  return previewSlots({
    type: schedule.schedule_type,
    config: schedule.schedule_config,
    timezone: schedule.timezone,
    from,
    count,
    runCount: schedule.run_count,
  });
}
