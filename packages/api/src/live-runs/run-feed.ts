import { firstIdAt } from '@api-scheduler/core';
import type { Clock, Run, RunStatus } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';
import type { RunEvents } from '@api-scheduler/engine';
import type { Logger } from 'pino';

import { describeErrorForLog } from '../errors.js';

/** One change of a run that the live-runs subscription delivers. */
export interface RunChange {
  kind: 'started' | 'finished';
  run: Run;
}

export type RunChangeListener = (change: RunChange) => void;

export interface RunFeedOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The run events of this process's engine, delivered as they happen. Null in a process without an engine. */
  events: RunEvents | null;
  /**
   * How often to read the store for runs that other processes start and
   * finish, in milliseconds, while anyone listens. Null turns polling off,
   * for a process whose engine is the only one on its database.
   */
  pollIntervalMs: number | null;
}

/**
 * How far before the previous poll each poll reads again, in milliseconds.
 * A run's id carries the instant its process made it, so a process whose
 * clock runs behind, or a claim transaction that commits late, adds ids
 * that sort before runs already read.
 */
const ID_LOOKBACK_MS = 2_000;
/** Rows per store read of a poll. A poll reads pages until one comes back short. */
const POLL_PAGE_SIZE = 500;
/** Maximum rows that one poll reads, so a burst cannot hold the database for long. */
const MAX_ROWS_PER_POLL = 5_000;
/** Maximum RUNNING runs that the feed watches for their finish. */
const MAX_TRACKED_RUNS = 10_000;

/**
 * Fans the runs of the whole database out to the live-runs subscriptions.
 * Runs of this process's engine arrive at once through its events. Runs of
 * other processes (workers on PostgreSQL, or every run in a process that
 * has no engine) come from polling the store every `pollIntervalMs`: new
 * runs by id, and the finish of runs seen RUNNING by re-reading them. Each
 * run is delivered once as started (when first seen RUNNING) and once as
 * finished, whichever source sees it first. Polling runs only while at
 * least one listener is subscribed, and one poll serves every listener.
 */
export class RunFeed {
  readonly #options: RunFeedOptions;
  readonly #listeners = new Set<RunChangeListener>();
  /** The last status delivered per run id, for runs in the lookback window or still RUNNING. */
  readonly #delivered = new Map<string, RunStatus>();
  /** How many entries of #delivered are RUNNING. */
  #runningCount = 0;
  #timer: NodeJS.Timeout | null = null;
  #polling = false;
  /** The instant the previous poll started, on the feed's clock. */
  #lastPollAt = 0;
  #pollFailures = 0;

  constructor(options: RunFeedOptions) {
    this.#options = options;
  }

  /** Adds a listener and returns the function that removes it. */
  subscribe(listener: RunChangeListener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (!this.#listeners.delete(listener)) return;
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** Stops polling and drops every listener, at shutdown. */
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  readonly #onStarted = (run: Run): void => this.#deliver(run);
  readonly #onFinished = (run: Run): void => this.#deliver(run);

  #start(): void {
    this.#options.events?.on('started', this.#onStarted);
    this.#options.events?.on('finished', this.#onFinished);
    if (this.#options.pollIntervalMs === null) return;

    this.#lastPollAt = this.#options.clock.now();
    this.#polling = true;
    // The runs in flight now are watched, so a listener also learns when they finish.
    void this.#trackRunningRuns().finally(() => this.#schedulePoll());
  }

  #stop(): void {
    this.#options.events?.off('started', this.#onStarted);
    this.#options.events?.off('finished', this.#onFinished);
    this.#polling = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#delivered.clear();
    this.#runningCount = 0;
  }

  #schedulePoll(): void {
    if (!this.#polling || this.#options.pollIntervalMs === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#poll().finally(() => this.#schedulePoll());
    }, this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  /** Delivers the run's change unless its current status was delivered already. */
  #deliver(run: Run): void {
    const previous = this.#delivered.get(run.id);
    if (previous === run.status) return;
    // A finished run that was never seen RUNNING is delivered as finished only.
    if (previous !== undefined && previous !== 'RUNNING') return;

    if (run.status === 'RUNNING' && this.#runningCount >= MAX_TRACKED_RUNS) {
      // TODO: a feed watching more runs in flight than this stops announcing new ones until some finish; no deployment has reached it yet.
      this.#options.logger.warn({ run_id: run.id, max_tracked_runs: MAX_TRACKED_RUNS }, 'Live runs feed is watching too many RUNNING runs: this run is not announced');
      return;
    }
    // Without polling only the engine delivers, once per change, so a finished run needs no entry.
    if (run.status !== 'RUNNING' && !this.#polling) this.#forget(run.id);
    else this.#remember(run.id, run.status);

    const change: RunChange = { kind: run.status === 'RUNNING' ? 'started' : 'finished', run };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#options.logger.error({ err: describeErrorForLog(error), run_id: run.id }, 'Live runs listener failed');
      }
    }
  }

  #remember(id: string, status: RunStatus): void {
    const previous = this.#delivered.get(id);
    if (previous === 'RUNNING') this.#runningCount -= 1;
    if (status === 'RUNNING') this.#runningCount += 1;
    this.#delivered.set(id, status);
  }

  #forget(id: string): void {
    if (this.#delivered.get(id) === 'RUNNING') this.#runningCount -= 1;
    this.#delivered.delete(id);
  }

  async #trackRunningRuns(): Promise<void> {
    try {
      const page = await this.#options.store.listRuns({ status: 'RUNNING', limit: Math.min(1000, MAX_TRACKED_RUNS) });
      for (const run of page.items) this.#remember(run.id, 'RUNNING');
    } catch (error) {
      this.#options.logger.warn({ err: describeErrorForLog(error) }, 'Live runs feed failed to read the runs in flight');
    }
  }

  async #poll(): Promise<void> {
    const { store, clock, logger } = this.#options;
    const startedAt = clock.now();
    const floor = firstIdAt(this.#lastPollAt - ID_LOOKBACK_MS);

    try {
      // New runs, and runs of the lookback window whose status changed.
      const seen = new Set<string>();
      let after = floor;
      for (let read = 0; read < MAX_ROWS_PER_POLL; read += POLL_PAGE_SIZE) {
        const page = await store.listRunsAfter(after, POLL_PAGE_SIZE);
        for (const run of page) {
          seen.add(run.id);
          this.#deliver(run);
        }
        if (page.length < POLL_PAGE_SIZE || !this.#polling) break;
        after = page[page.length - 1]!.id;
      }

      // Older runs seen RUNNING: re-read to learn whether they finished.
      const older = [...this.#delivered].filter(([id, status]) => status === 'RUNNING' && !seen.has(id)).map(([id]) => id);
      const found = await store.getRuns(older);
      for (const run of found) this.#deliver(run);
      // A run that is gone was deleted with its schedule: nothing more will happen to it.
      const foundIds = new Set(found.map((run) => run.id));
      for (const id of older) if (!foundIds.has(id)) this.#forget(id);

      this.#forgetFinishedBefore(floor);
      this.#lastPollAt = startedAt;
      if (this.#pollFailures > 0) logger.info({ failures: this.#pollFailures }, 'Live runs feed reads the store again');
      this.#pollFailures = 0;
    } catch (error) {
      // Logged on the first failure and then every 60th, so an outage does not flood the log.
      if (this.#pollFailures % 60 === 0) logger.warn({ err: describeErrorForLog(error), failures: this.#pollFailures + 1 }, 'Live runs feed failed to read the store');
      this.#pollFailures += 1;
    }
  }

  /** Forgets finished runs whose ids sort before `floor`: no later poll reads them again. */
  #forgetFinishedBefore(floor: string): void {
    for (const [id, status] of this.#delivered) {
      if (status !== 'RUNNING' && id < floor) this.#forget(id);
    }
  }
}
