import type { MisfirePolicy, ScheduleStatus, ScheduleType } from '../schemas/enums.js';
import type { ScheduleConfig } from '../schemas/schedule.js';
import { strategyFor } from '../strategies/index.js';

export interface PlannedFire {
  /** The planned instant this fire stands for, Unix milliseconds. */
  scheduledFor: number;
  catchUp: boolean;
  /** Planned slots this fire stands for besides its own (not fired). */
  missedCount: number;
  /** True when the misfire policy is skip: recorded as a SKIPPED run, not sent. */
  skipped: boolean;
}

export interface FirePlan {
  fires: PlannedFire[];
  nextRunAt: number | null;
  runCount: number;
  status: ScheduleStatus;
}

export interface PlanInput {
  schedule_type: ScheduleType;
  schedule_config: ScheduleConfig;
  misfire_policy: MisfirePolicy;
  run_count: number;
  /** The due slot, Unix milliseconds; at or before `now`. */
  next_run_at: number;
}

export interface PlanOptions {
  /** How late a single slot may be and still fire as an ordinary fire. */
  misfireGraceMs: number;
  /** At most this many catch-up fires for the fire_all policy; older slots count as missed. */
  fireAllLimit: number;
}

/**
 * Decides what to fire for a due schedule and where its next_run_at moves.
 * A slot on time (or late by less than the grace, with no later slot due)
 * fires as planned. Otherwise the misfire policy applies to every slot from
 * the due one up to `now`: fire_once fires the latest with missed_count for
 * the rest, fire_all fires them in order up to a limit, skip records one
 * SKIPPED run. The next slot always comes from the grid, never from `now`.
 */
export function planFire(input: PlanInput, now: number, options: PlanOptions): FirePlan {
  const strategy = strategyFor(input.schedule_type);
  const config = input.schedule_config;
  const due = input.next_run_at;

  const latest = Math.max(due, strategy.lastAtOrBefore(config, now) ?? due);
  const dueCount = Math.max(1, strategy.countBetween(config, due, now));

  let fires: PlannedFire[];
  if (dueCount === 1 && now - due <= options.misfireGraceMs) {
    fires = [{ scheduledFor: due, catchUp: false, missedCount: 0, skipped: false }];
  } else if (input.misfire_policy === 'skip') {
    fires = [{ scheduledFor: latest, catchUp: true, missedCount: dueCount - 1, skipped: true }];
  } else if (input.misfire_policy === 'fire_all') {
    fires = catchUpAll(input, due, now, dueCount, options.fireAllLimit);
  } else {
    fires = [{ scheduledFor: latest, catchUp: true, missedCount: dueCount - 1, skipped: false }];
  }

  // WINDOW max_runs caps the fires, catch-up ones included.
  const maxRuns = strategy.maxRuns(config);
  let runCount = input.run_count;
  const allowed: PlannedFire[] = [];
  for (const fire of fires) {
    if (!fire.skipped) {
      if (maxRuns !== null && runCount >= maxRuns) break;
      runCount += 1;
    }
    allowed.push(fire);
  }

  const lastPlanned = allowed.length > 0 ? allowed[allowed.length - 1]!.scheduledFor : latest;
  const completed = maxRuns !== null && runCount >= maxRuns;
  const nextRunAt = completed ? null : strategy.nextAfter(config, Math.max(lastPlanned, latest));

  return { fires: allowed, nextRunAt, runCount, status: nextRunAt === null ? 'COMPLETED' : 'ACTIVE' };
}

function catchUpAll(input: PlanInput, due: number, now: number, dueCount: number, limit: number): PlannedFire[] {
  const strategy = strategyFor(input.schedule_type);
  const fires: PlannedFire[] = [];
  let slot: number | null = due;
  while (slot !== null && slot <= now && fires.length < limit) {
    fires.push({ scheduledFor: slot, catchUp: true, missedCount: 0, skipped: false });
    slot = strategy.nextAfter(input.schedule_config, slot);
  }

  // Slots past the limit are not fired; the last fire accounts for them.
  const last = fires[fires.length - 1]!;
  last.missedCount = dueCount - fires.length;
  return fires;
}

/**
 * Returns the next_run_at of a schedule that becomes active at `now`
 * (created or resumed): the first slot at or after now, so a paused period
 * never fires.
 */
export function firstRunAt(type: ScheduleType, config: ScheduleConfig, now: number): number | null {
  return strategyFor(type).firstAtOrAfter(config, now);
}
