import type { Logger } from 'pino';

import { planFire } from '@api-scheduler/core';
import type { Clock, FirePlan, PlanOptions, Schedule } from '@api-scheduler/core';
import type { ClaimedFire, Store } from '@api-scheduler/db';

import { describeRequest } from './build-request.js';
import type { Dispatcher } from './dispatcher.js';

// setTimeout stores its delay in a signed 32-bit integer: a longer delay
// fires at once. Longer sleeps are cut into pieces of at most this length.
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  store: Store;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /** Schedules claimed per transaction. */
  claimBatchSize: number;
  /**
   * Schedules more than the misfire grace late (the backlog after downtime)
   * are claimed only while fewer fires than this are in flight in the
   * dispatcher. Schedules due within the grace are always claimed, and first.
   */
  maxBacklogInFlight: number;
  plan: PlanOptions;
  /** Pause after a failed claim before the loop tries again, in milliseconds. */
  errorBackoffMs: number;
  /**
   * Maximum sleep before the loop reads the earliest next_run_at again, in
   * milliseconds. Another process writing to the same database cannot wake
   * this one, so this bounds how late it sees a schedule created or changed
   * there. Fires still happen on their own timers, not on this rescan.
   */
  rescanIntervalMs: number;
}

/**
 * The firing loop. It sleeps until the earliest next_run_at, claims every
 * due schedule in transactions that advance next_run_at and insert the runs,
 * hands the fires to the dispatcher, and sleeps again. wake() cuts a sleep
 * short when a schedule is created, changed or resumed.
 */
export class Scheduler {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wakeSleeper: (() => void) | null = null;
  private waitingForBacklogRoom = false;

  constructor(private readonly options: SchedulerOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Makes the loop re-read the earliest next_run_at now. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  /**
   * Wakes a loop that left backlog unclaimed for lack of room, once the
   * dispatcher is down to half of maxBacklogInFlight, so that the next
   * backlog claim fills at least half of it. The dispatcher calls this
   * whenever a fire settles.
   */
  fireSettled(): void {
    if (!this.waitingForBacklogRoom) return;
    if (this.options.dispatcher.inFlightCount > this.options.maxBacklogInFlight / 2) return;

    this.waitingForBacklogRoom = false;
    this.wake();
  }

  /** Stops claiming; fires already claimed are left to the dispatcher. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    const { logger } = this.options;
    while (this.running) {
      this.wakeRequested = false;
      this.waitingForBacklogRoom = false;
      try {
        await this.claimAndDispatch();
        await this.sleepUntil(await this.nextClaimAt());
      } catch (error) {
        logger.error({ err: error }, 'scheduler loop failed; retrying after a pause');
        await this.sleepFor(this.options.errorBackoffMs);
      }
    }
  }

  /** Claims due schedules batch after batch while batches come back full, and returns the number of fires. */
  async claimAndDispatch(): Promise<number> {
    const { store, dispatcher, clock, claimBatchSize, instanceId, plan, maxBacklogInFlight } = this.options;
    let total = 0;
    while (this.running) {
      const now = clock.now();
      const backlogRoom = Math.max(0, maxBacklogInFlight - dispatcher.inFlightCount);
      const fires = await store.claimDueSchedules({
        now,
        limit: claimBatchSize,
        backlog: { before: now - plan.misfireGraceMs, limit: Math.min(claimBatchSize, backlogRoom) },
        instanceId,
        plan: (schedule, now) => this.planOrPause(schedule, now),
        describeRequest,
      });
      const groups = groupBySchedule(fires);
      for (const group of groups) {
        if (group.length === 1) dispatcher.dispatch(group[0]!);
        else dispatcher.dispatchSequence(group);
      }
      total += fires.length;

      // A batch with fewer schedules than the limit took every schedule due
      // at its `now`, so the loop does not spend a transaction on a claim
      // that would find nothing. A claimed schedule can also yield no fire,
      // because it completed or its slot already had a run. If such
      // schedules filled a batch and more are due, earliestNextRunAt returns
      // a past instant and the loop claims again without sleeping.
      if (groups.length < claimBatchSize) break;
    }
    return total;
  }

  /**
   * Returns the instant of the next claim. While a backlog remains and the
   * dispatcher has less than half of maxBacklogInFlight free, the next claim
   * waits for the earliest schedule that is not backlog, or for fireSettled.
   * Without this wait, a catch-up of 100,000 overdue schedules put all of
   * their fires in flight at once: in bench/benchmarks/catch-up.mjs (2 vCPUs) the
   * engine reached 1.4 GB resident, and 1 s schedules due meanwhile were
   * claimed up to 11 s late.
   */
  private async nextClaimAt(): Promise<number | null> {
    const { store, clock, dispatcher, plan, maxBacklogInFlight } = this.options;
    const earliest = await store.earliestNextRunAt();
    const backlogBefore = clock.now() - plan.misfireGraceMs;
    if (earliest === null || earliest >= backlogBefore) return earliest;
    if (dispatcher.inFlightCount <= maxBacklogInFlight / 2) return earliest;

    this.waitingForBacklogRoom = true;
    return store.earliestNextRunAt(backlogBefore - 1);
  }

  /**
   * Plans a due schedule. A schedule that cannot be planned (a stored config
   * that no longer validates) is paused and logged rather than failing the
   * whole claim, which would stop every other schedule from firing.
   */
  private planOrPause(schedule: Schedule, now: number): FirePlan {
    try {
      return planFire(
        {
          schedule_type: schedule.schedule_type,
          schedule_config: schedule.schedule_config,
          misfire_policy: schedule.misfire_policy,
          run_count: schedule.run_count,
          next_run_at: schedule.next_run_at?.getTime() ?? now,
        },
        now,
        this.options.plan,
      );
    } catch (error) {
      this.options.logger.error({ err: error, schedule_id: schedule.id }, 'cannot plan schedule; pausing it');
      return { fires: [], nextRunAt: null, runCount: schedule.run_count, status: 'PAUSED' };
    }
  }

  /**
   * Sleeps until `next` or the next rescan, whichever comes first. Node.js
   * counts a timer's delay from the event loop's cached time, which can lag
   * the clock, so a timer can fire a millisecond or more before `next`. A
   * claim then would find nothing due: about 1 wake in 12 did so in
   * bench/benchmarks/precision.mjs with 10,000 schedules. Such a wake sleeps
   * again for the time left.
   */
  private async sleepUntil(next: number | null): Promise<void> {
    const { clock, rescanIntervalMs } = this.options;
    const until = Math.min(next ?? Infinity, clock.now() + rescanIntervalMs);
    for (;;) {
      const delay = until - clock.now();
      if (this.wakeRequested || !this.running) return;
      // A loop that is behind still passes through the event loop once, so
      // timers, I/O callbacks and signal handlers run between claims.
      await this.sleepFor(Math.max(delay, 0));
      if (delay <= 0) return;
    }
  }

  /**
   * Sleeps `delayMs` (null: until woken). A timer may wake up a little early;
   * that is harmless, because a claim only takes schedules already due.
   * A delay of 0 yields to the event loop once through setImmediate, because
   * a resolved promise would run the next claim before any timer or I/O callback.
   */
  private sleepFor(delayMs: number | null): Promise<void> {
    if (this.wakeRequested || !this.running) return Promise.resolve();
    if (delayMs === 0) return new Promise<void>((resolve) => setImmediate(resolve));

    return new Promise<void>((resolve) => {
      const done = () => {
        if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
        this.sleepTimer = null;
        this.wakeSleeper = null;
        resolve();
      };
      this.wakeSleeper = done;
      if (delayMs !== null) this.sleepTimer = setTimeout(done, Math.min(delayMs, MAX_TIMER_DELAY_MS));
    });
  }
}

/** Groups fires by schedule, in claim order; only fire_all catch-ups put several fires of one schedule in a claim. */
function groupBySchedule(fires: ClaimedFire[]): ClaimedFire[][] {
  const groups = new Map<string, ClaimedFire[]>();
  for (const fire of fires) {
    const group = groups.get(fire.schedule.id);
    if (group) group.push(fire);
    else groups.set(fire.schedule.id, [fire]);
  }
  return [...groups.values()];
}
