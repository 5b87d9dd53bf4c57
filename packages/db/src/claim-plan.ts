import { EMPTY_RUN_OUTCOME, newId } from '@api-scheduler/core';
import type { FirePlan, PlannedFire, Run, RunRequest, Schedule, Target } from '@api-scheduler/core';

import type { StoreLogger } from './logger.js';
import type { ClaimInput, ClaimedFire } from './store.js';

// The steps of a claim that do not touch the database, shared by the
// libSQL and PostgreSQL stores: planning each due schedule, building the
// runs of its fires, and picking the fires whose runs were inserted.

/** A claimed schedule with its planned state, its target and the runs of its fires. */
export interface Claim {
  schedule: Schedule;
  target: Target;
  runs: Run[];
}

/**
 * Plans each due schedule and builds the runs of its fires. `runningRunIds`
 * maps a schedule whose overlap policy is skip to a RUNNING run of it, in
 * any process. A schedule whose plan throws is left out, so it stays due.
 */
export function planClaims(
  input: ClaimInput,
  due: Schedule[],
  targetsById: Map<string, Target>,
  runningRunIds: Map<string, string>,
  logger: StoreLogger,
): Claim[] {
  // A claim usually contains many schedules of few targets, so each target's stored request is built once.
  const requests = new Map<string, RunRequest>();
  const claims: Claim[] = [];
  for (const schedule of due) {
    // The foreign key on schedules.target_id keeps the target of every schedule in the table.
    const target = targetsById.get(schedule.target_id)!;
    let request = requests.get(target.id);
    if (request === undefined) {
      request = input.describeRequest(target);
      requests.set(target.id, request);
    }
    const plan = planOrLog(input, schedule, logger);
    if (plan !== null) claims.push(applyPlan(schedule, target, plan, request, input, runningRunIds.get(schedule.id) ?? null));
  }
  return claims;
}

/**
 * Returns the fires whose runs a claim inserted: all of them when `inserted`
 * is null, else those whose run id it contains. A run that was not inserted
 * lost to a run already recorded for its slot, so its fire is not sent again.
 */
export function claimedFires(claims: Claim[], inserted: Set<string> | null, logger: StoreLogger): ClaimedFire[] {
  const fires: ClaimedFire[] = [];
  for (const claim of claims) {
    for (const run of claim.runs) {
      if (inserted === null || inserted.has(run.id)) {
        fires.push({ run, schedule: claim.schedule, target: claim.target });
      } else {
        logger.warn(
          { schedule_id: run.schedule_id, scheduled_for: run.scheduled_for.toISOString(), attempt: run.attempt },
          'A run for this slot already exists, so the slot is not fired again',
        );
      }
    }
  }
  return fires;
}

export function planOrLog(input: ClaimInput, schedule: Schedule, logger: StoreLogger): FirePlan | null {
  try {
    return input.plan(schedule, input.now);
  } catch (error) {
    // NOTE: the schedule stays due, so a plan that always throws is retried
    // (and logged) on every claim until the schedule is fixed or paused.
    logger.error({ err: error, schedule_id: schedule.id }, 'Planning a due schedule failed, so it stays due and the next claim retries it');
    return null;
  }
}

/**
 * Applies a plan to its schedule and builds the runs of its fires.
 * `runningRunId` names a run of the schedule still in flight in any process.
 * When it is set, every fire the plan would send is recorded as SKIPPED.
 */
export function applyPlan(schedule: Schedule, target: Target, plan: FirePlan, request: RunRequest, input: ClaimInput, runningRunId: string | null): Claim {
  const now = new Date(input.now);

  // last_run_at is the latest slot that is sent, and a skipped slot is not sent.
  const sent = plan.fires.filter((fire) => !fire.skipped).map((fire) => fire.scheduledFor);
  const lastRunAt = sent.length > 0 ? new Date(Math.max(...sent)) : schedule.last_run_at;

  const claimed: Schedule = {
    ...schedule,
    next_run_at: plan.nextRunAt === null ? null : new Date(plan.nextRunAt),
    run_count: plan.runCount,
    status: plan.status,
    last_run_at: lastRunAt,
    updated_at: now,
  };
  const runs = plan.fires.map((fire) => {
    const run = newRun(claimed, target, fire, request, input.instanceId, now);
    return runningRunId === null || run.status !== 'RUNNING' ? run : skippedByOverlap(run, runningRunId);
  });
  return { schedule: claimed, target, runs };
}

function newRun(schedule: Schedule, target: Target, fire: PlannedFire, request: RunRequest, instanceId: string, now: Date): Run {
  return {
    id: newId(now.getTime()),
    schedule_id: schedule.id,
    target_id: target.id,
    scheduled_for: new Date(fire.scheduledFor),
    attempt: 1,
    started_at: now,
    ...EMPTY_RUN_OUTCOME,
    // A skipped fire is never sent, so its run is finished when recorded.
    finished_at: fire.skipped ? now : null,
    status: fire.skipped ? 'SKIPPED' : 'RUNNING',
    error_message: fire.skipped ? skippedMessage(fire) : null,
    request,
    catch_up: fire.catchUp,
    manual: false,
    missed_count: fire.missedCount,
    instance_id: instanceId,
  };
}

function skippedByOverlap(run: Run, runningRunId: string): Run {
  return {
    ...run,
    status: 'SKIPPED',
    finished_at: run.started_at,
    error_message: `Skipped by the overlap policy "skip": run ${runningRunId} of this schedule was still in flight`,
  };
}

function skippedMessage(fire: PlannedFire): string {
  const slots = fire.missedCount + 1;
  const latest = new Date(fire.scheduledFor).toISOString();
  const missedSlots = slots === 1 ? `1 planned slot (${latest}) was` : `${slots} planned slots up to ${latest} were`;
  return `Skipped by the misfire policy "skip": ${missedSlots} missed by more than the grace period and not sent`;
}
