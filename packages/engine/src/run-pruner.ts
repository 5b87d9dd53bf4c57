import type { Logger } from 'pino';

import type { Clock } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

/** How long runs are kept. A rule set to null is off. */
export interface RunRetention {
  /** Runs that started longer ago than this many milliseconds are deleted. */
  maxAgeMs: number | null;
  /** Finished runs beyond the newest this many of their schedule are deleted. */
  maxRunsPerSchedule: number | null;
  /** Time from the end of one pruning pass to the start of the next, in milliseconds. */
  intervalMs: number;
  /** The limit of each Store.pruneRuns call: at most this many runs are deleted per batch. */
  batchSize: number;
}

export interface RunPrunerOptions {
  store: Pick<Store, 'pruneRuns'>;
  clock: Clock;
  logger: Logger;
  retention: RunRetention;
  /** Pause between two batches of one pass, in milliseconds, so claims and result writes get the database in between. Default 20. */
  batchPauseMs?: number;
}

/**
 * Deletes old runs in the background so the database stops growing. Every
 * `intervalMs` it runs a pass: batches of at most `batchSize` deletions with
 * a short pause between them, until a batch deletes fewer than `batchSize`,
 * which Store.pruneRuns returns only when no other run is eligible. RUNNING
 * runs are never deleted. A failed pass is logged and the next one runs on
 * schedule.
 */
export class RunPruner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopRequested = false;
  private pass: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: RunPrunerOptions) {
    this.logger = options.logger.child({ component: 'run-pruner' });
  }

  /** True when at least one retention rule is on. */
  get enabled(): boolean {
    const { maxAgeMs, maxRunsPerSchedule } = this.options.retention;
    return maxAgeMs !== null || maxRunsPerSchedule !== null;
  }

  /** Schedules the first pass one interval from now. Does nothing when both rules are off. */
  start(): void {
    if (this.running || !this.enabled) return;
    this.running = true;
    this.stopRequested = false;

    const { maxAgeMs, maxRunsPerSchedule, intervalMs } = this.options.retention;
    this.logger.info({ max_age_ms: maxAgeMs, max_runs_per_schedule: maxRunsPerSchedule, interval_ms: intervalMs }, 'run retention started');
    this.scheduleNextPass();
  }

  /** Cancels the next pass and waits for a pass in progress, which stops after its current batch. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopRequested = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.pass;
  }

  /**
   * Runs one pass now and returns how many runs it deleted. Errors are
   * thrown to the caller; the timer's passes log them instead.
   */
  async pruneOnce(): Promise<number> {
    const { store, clock, retention } = this.options;
    const pauseMs = this.options.batchPauseMs ?? 20;
    const started = performance.now();
    let deleted = 0;
    let batches = 0;

    for (;;) {
      // Computed per batch, so a long pass keeps up with the clock.
      const olderThan = retention.maxAgeMs === null ? null : new Date(clock.now() - retention.maxAgeMs);
      const batch = await store.pruneRuns({ olderThan, keepPerSchedule: retention.maxRunsPerSchedule, limit: retention.batchSize });
      deleted += batch;
      batches += 1;
      if (batch < retention.batchSize || this.stopRequested) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }

    const fields = { deleted, batches, duration_ms: Math.round(performance.now() - started) };
    if (deleted > 0) this.logger.info(fields, 'deleted runs past the retention limits');
    else this.logger.debug(fields, 'no runs past the retention limits');
    return deleted;
  }

  private scheduleNextPass(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pass = this.runScheduledPass();
    }, this.options.retention.intervalMs);
  }

  private async runScheduledPass(): Promise<void> {
    try {
      await this.pruneOnce();
    } catch (error) {
      this.logger.error({ err: error, interval_ms: this.options.retention.intervalMs }, 'pruning runs failed, so the next pass retries after the interval');
    }
    if (this.running) this.scheduleNextPass();
  }
}
