import type { Logger } from 'pino';

import { ConflictError, EMPTY_RUN_OUTCOME, NotFoundError, newId, strategyFor } from '@api-scheduler/core';
import type { Clock, Run, Schedule, Target } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

import { describeRequest } from './build-request.js';
import { AlertMonitor } from './alerts/alert-monitor.js';
import { Dispatcher } from './dispatcher.js';
import { HttpExecutor } from './executor/index.js';
import type { ExecutorOptions } from './executor/index.js';
import { InstanceLease } from './instance-lease.js';
import { RunEvents } from './run-observer.js';
import type { RunObserver } from './run-observer.js';
import { RunPruner } from './run-pruner.js';
import type { RunRetention } from './run-pruner.js';
import { RunRecorder } from './run-recorder.js';
import { Scheduler } from './scheduler.js';
import type { SecretCipher } from './secrets/secret-cipher.js';

const MANUAL_SLOT_TRIES = 20;

function isPlannedInstant(schedule: Schedule, instant: number): boolean {
  try {
    return strategyFor(schedule.schedule_type).firstAtOrAfter(schedule.schedule_config, instant) === instant;
  } catch {
    // A config that cannot be planned has no planned instants to avoid.
    return false;
  }
}

function manualRun(scheduleId: string, target: Target, scheduledFor: number, now: number, instanceId: string): Run {
  return {
    id: newId(now),
    schedule_id: scheduleId,
    target_id: target.id,
    scheduled_for: new Date(scheduledFor),
    attempt: 1,
    started_at: new Date(now),
    ...EMPTY_RUN_OUTCOME,
    status: 'RUNNING',
    request: describeRequest(target),
    catch_up: false,
    manual: true,
    missed_count: 0,
    instance_id: instanceId,
  };
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  executor?: Partial<ExecutorOptions>;
  /** Schedules claimed per transaction; default 500. */
  claimBatchSize?: number;
  /**
   * Fires in flight above which schedules more than the misfire grace late
   * wait to be claimed; default twice the executor's maxConcurrency.
   */
  maxBacklogInFlight?: number;
  /** How late a slot may fire before the misfire policy applies, in ms; default 1000. */
  misfireGraceMs?: number;
  /** At most this many catch-up fires per schedule under fire_all; default 100. */
  fireAllLimit?: number;
  /** Minimum time between the starts of two catch-up fires of one schedule under fire_all, in ms; default 1000. */
  catchUpSpacingMs?: number;
  /** Maximum sleep before re-reading the earliest next_run_at, so changes made by other processes are seen, in ms; default 2000. */
  rescanIntervalMs?: number;
  /** Decrypts targets' encrypted secrets when a request is built; absent when SCHEDULER_SECRET_KEY is not set. */
  secretCipher?: SecretCipher | null;
  /** Extra observers of started and finished runs (metrics, alerts). */
  observers?: RunObserver[];
  /** Deletes old runs in the background; without it, runs are kept forever. */
  retention?: RunRetention;
  /**
   * How long one heartbeat keeps this instance's runs safe from the others,
   * in ms; default 30,000. Must exceed the heartbeat interval plus how far
   * the instances' clocks can disagree.
   */
  leaseMs?: number;
  /** Time between heartbeats, in ms; default a third of leaseMs. */
  heartbeatIntervalMs?: number;
  /** Time between checks for silent schedules and for alert notifications due again, in ms; default 5,000. */
  alertCheckIntervalMs?: number;
}

/**
 * The scheduler loop, dispatcher, executor and recorder of one process,
 * wired together. start() recovers runs left RUNNING by an earlier process
 * and starts firing; stop() shuts down in order.
 */
export class Engine {
  readonly events = new RunEvents();
  readonly executor: HttpExecutor;
  readonly recorder: RunRecorder;
  readonly dispatcher: Dispatcher;
  readonly scheduler: Scheduler;
  readonly pruner: RunPruner | null;
  readonly lease: InstanceLease;
  readonly alerts: AlertMonitor;
  private unsubscribe: (() => Promise<void>) | null = null;
  /** The latest scheduled_for given to a manual run of each schedule, Unix ms. */
  private readonly lastManualSlot = new Map<string, number>();
  private started = false;

  constructor(private readonly options: EngineOptions) {
    const logger = options.logger.child({ component: 'engine' });
    // The executor names its own component; a child of the engine logger would repeat the key.
    this.executor = new HttpExecutor(options.executor ?? {}, options.logger);
    this.recorder = new RunRecorder(options.store, logger);
    this.alerts = new AlertMonitor({
      store: options.store,
      executor: this.executor,
      clock: options.clock,
      logger: options.logger,
      ...(options.alertCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.alertCheckIntervalMs }),
    });
    this.dispatcher = new Dispatcher({
      executor: this.executor,
      recorder: this.recorder,
      store: options.store,
      observers: [this.events, this.alerts, ...(options.observers ?? [])],
      logger,
      now: () => options.clock.now(),
      instanceId: options.instanceId,
      catchUpSpacingMs: options.catchUpSpacingMs ?? 1_000,
      secretCipher: options.secretCipher ?? null,
      onFireSettled: () => this.scheduler.fireSettled(),
    });
    this.scheduler = new Scheduler({
      store: options.store,
      dispatcher: this.dispatcher,
      clock: options.clock,
      logger,
      instanceId: options.instanceId,
      claimBatchSize: options.claimBatchSize ?? 500,
      maxBacklogInFlight: options.maxBacklogInFlight ?? 2 * this.executor.maxConcurrency,
      plan: { misfireGraceMs: options.misfireGraceMs ?? 1_000, fireAllLimit: options.fireAllLimit ?? 100 },
      errorBackoffMs: 1_000,
      rescanIntervalMs: options.rescanIntervalMs ?? 2_000,
    });
    // The pruner names its own component, as the executor does.
    this.pruner = options.retention ? new RunPruner({ store: options.store, clock: options.clock, logger: options.logger, retention: options.retention }) : null;
    this.lease = new InstanceLease({
      store: options.store,
      clock: options.clock,
      logger,
      instanceId: options.instanceId,
      leaseMs: options.leaseMs ?? 30_000,
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    });
  }

  get isRunning(): boolean {
    return this.scheduler.isRunning;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;

    // One process owns an embedded database file, so every run still RUNNING
    // at start belongs to a process that died mid-request. On a shared
    // database only this instance id's runs are known to be dead now: the
    // lease finds those of other instances once their leases lapse.
    const { store, clock, instanceId, logger } = this.options;
    const interrupted = await store.interruptRunningRuns({
      finishedAt: new Date(clock.now()),
      message: 'The scheduler stopped before this request finished',
      ...(store.dialect === 'libsql' ? {} : { instanceId }),
    });
    if (interrupted > 0) {
      logger.warn({ runs: interrupted }, 'recorded runs left in flight by a stopped process as INTERRUPTED');
    }
    await this.lease.start();
    if (store.subscribeScheduleChanges) {
      this.unsubscribe = await store.subscribeScheduleChanges(() => this.scheduler.wake());
    }

    // Before the first claim, so schedules that stayed overdue while no
    // process ran are reported silent before they catch up.
    await this.alerts.start();
    this.scheduler.start();
    this.pruner?.start();
    this.options.logger.info({ instance_id: this.options.instanceId }, 'engine started');
  }

  wake(): void {
    this.scheduler.wake();
  }

  /**
   * Makes one extra run of a schedule now ("run now") and sends it at once,
   * whatever its overlap policy. The run is marked manual; the schedule's
   * next_run_at and run_count stay as they were. Throws NotFoundError for an
   * unknown schedule.
   */
  async trigger(scheduleId: string): Promise<Run> {
    const { store, clock, instanceId } = this.options;
    const schedule = await store.getSchedule(scheduleId);
    if (schedule === null) throw new NotFoundError('schedule', scheduleId);
    const target = await store.getTarget(schedule.target_id);
    if (target === null) throw new NotFoundError('target', schedule.target_id);

    // The slot key (schedule, scheduled_for, attempt) is shared with grid
    // fires: a manual run on a planned instant would make the claim drop
    // that fire. Move off any planned instant; a millisecond is enough.
    // Triggers of one schedule in the same millisecond take successive
    // milliseconds in this process; the retry below covers other processes.
    let scheduledFor = Math.max(clock.now(), (this.lastManualSlot.get(schedule.id) ?? 0) + 1);
    for (let tries = 1; ; tries += 1) {
      while (isPlannedInstant(schedule, scheduledFor)) scheduledFor += 1;
      this.lastManualSlot.set(schedule.id, scheduledFor);
      try {
        const run = await store.insertRun(manualRun(schedule.id, target, scheduledFor, clock.now(), instanceId));
        this.dispatcher.dispatchManual({ run, schedule, target });
        return run;
      } catch (error) {
        if (!(error instanceof ConflictError) || tries >= MANUAL_SLOT_TRIES) throw error;
        scheduledFor += 1;
      }
    }
  }

  /**
   * Stops claiming, waits up to `graceMs` for requests in flight, records the
   * rest as INTERRUPTED, writes every pending result and closes the executor.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.started) return;
    this.started = false;

    await this.scheduler.stop();
    await this.pruner?.stop();
    await this.dispatcher.drain(graceMs);
    await this.recorder.flush();
    await this.alerts.stop();
    await this.executor.close();
    await this.unsubscribe?.();
    this.unsubscribe = null;
    await this.lease.stop();
    this.options.logger.info({ instance_id: this.options.instanceId }, 'engine stopped');
  }
}
