import type { Logger } from 'pino';

import { EMPTY_RUN_OUTCOME, maskHeaders, newId } from '@api-scheduler/core';
import type { ErrorType, Run, RunStatus } from '@api-scheduler/core';
import type { ClaimedFire, RunResult, Store } from '@api-scheduler/db';

import { buildRequestSpec } from './build-request.js';
import type { ExecutionResult, HttpExecutor, HttpRequestSpec } from './executor/index.js';
import { decideRetry } from './retry-policy.js';
import type { RunObserver } from './run-observer.js';
import type { RunRecorder } from './run-recorder.js';
import { SecretDecryptionError } from './secrets/secret-cipher.js';
import type { SecretCipher } from './secrets/secret-cipher.js';

export interface DispatcherOptions {
  executor: Pick<HttpExecutor, 'execute'>;
  recorder: RunRecorder;
  /** Inserts the run of each retry. */
  store: Pick<Store, 'insertRun'>;
  observers: RunObserver[];
  logger: Logger;
  now: () => number;
  instanceId: string;
  /** Minimum time between the starts of two catch-up fires of one schedule (fire_all), in milliseconds. */
  catchUpSpacingMs: number;
  /** Decrypts targets' secrets when a request is built; null when secrets are stored plain. */
  secretCipher?: SecretCipher | null;
  /** Called after each fire (with its retries) has settled and left inFlightCount. */
  onFireSettled?: () => void;
}

/** A fire and its retries, or a sequence of catch-up fires, as one unit of work. */
interface Chain {
  promise: Promise<void>;
  abort: AbortController;
}

/** Fires of one schedule in flight or queued in this process, read by its overlap policy. */
interface ScheduleActivity {
  running: number;
  lastRunId: string;
  queued: ClaimedFire | null;
}

/**
 * Sends claimed fires, retries them by their schedule's policy and records
 * every attempt. Each fire runs on its own promise: the loop never waits for
 * a request, so a slow target cannot delay another schedule's fire.
 */
export class Dispatcher {
  private readonly chains = new Map<string, Chain>();
  private readonly activity = new Map<string, ScheduleActivity>();

  constructor(private readonly options: DispatcherOptions) {}

  /** Fires (with their retries) in progress or waiting in this process. */
  get inFlightCount(): number {
    return this.chains.size;
  }

  /**
   * Sends one fire of the grid, unless an earlier fire of the schedule is
   * still in flight. Then the overlap policy decides: skip records the new
   * fire as SKIPPED, queue_one keeps one fire waiting, allow sends it anyway.
   */
  dispatch(fire: ClaimedFire): void {
    this.notify('onRunStarted', fire.run);
    if (fire.run.status !== 'RUNNING') {
      // Recorded finished by the claim (a SKIPPED run of the misfire policy "skip"), so it is logged here.
      this.logRunFinished(fire.run);
      this.notify('onRunFinished', fire.run);
      return;
    }

    const activity = this.activity.get(fire.schedule.id);
    if (activity !== undefined && activity.running > 0) {
      switch (fire.schedule.overlap_policy) {
        case 'skip':
          void this.finishUnsent(fire.run, 'SKIPPED', null, `Skipped by the overlap policy "skip": run ${activity.lastRunId} of this schedule was still in flight`);
          return;
        case 'queue_one':
          if (activity.queued !== null) {
            void this.finishUnsent(fire.run, 'SKIPPED', null, `Skipped by the overlap policy "queue_one": run ${activity.queued.run.id} was already waiting for the run in flight`);
            return;
          }
          activity.queued = fire;
          return;
        case 'allow':
          break;
      }
    }
    this.start([fire]);
  }

  /**
   * Sends the catch-up fires of one schedule (misfire policy fire_all) one
   * after another. Each waits until the previous fire and its retries have
   * ended and at least catchUpSpacingMs have passed since it started, so a
   * backlog does not land on the target all at once.
   */
  dispatchSequence(fires: ClaimedFire[]): void {
    const sendable: ClaimedFire[] = [];
    for (const fire of fires) {
      if (fire.run.status === 'RUNNING') {
        this.notify('onRunStarted', fire.run);
        sendable.push(fire);
      } else {
        this.dispatch(fire);
      }
    }
    if (sendable.length > 0) this.start(sendable);
  }

  /** Sends a run made by "run now" at once, whatever the overlap policy. */
  dispatchManual(fire: ClaimedFire): void {
    this.notify('onRunStarted', fire.run);
    this.start([fire]);
  }

  /**
   * Waits for the fires in flight, at most `graceMs`; then aborts the rest.
   * Requests cut short, fires still waiting and queued fires are recorded
   * as INTERRUPTED, and retries not yet started are dropped.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.chains.size === 0) return;

    const all = () => Promise.allSettled([...this.chains.values()].map((chain) => chain.promise));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all().then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'done') return;

    this.options.logger.warn({ fires: this.chains.size, grace_ms: graceMs }, 'interrupting fires still in flight after the shutdown grace period');
    const queued: ClaimedFire[] = [];
    for (const activity of this.activity.values()) {
      if (activity.queued !== null) queued.push(activity.queued);
      activity.queued = null;
    }
    for (const chain of this.chains.values()) chain.abort.abort();
    await Promise.all(queued.map((fire) => this.finishUnsent(fire.run, 'FAILURE', 'INTERRUPTED', 'The scheduler stopped before this queued run was sent')));
    await all();
  }

  private start(fires: ClaimedFire[]): void {
    const first = fires[0]!;
    const scheduleId = first.schedule.id;
    const activity = this.activity.get(scheduleId) ?? { running: 0, lastRunId: first.run.id, queued: null };
    activity.running += 1;
    activity.lastRunId = first.run.id;
    this.activity.set(scheduleId, activity);

    const abort = new AbortController();
    const promise = this.runSequence(fires, abort.signal).finally(() => {
      this.chains.delete(first.run.id);
      this.finishActivity(scheduleId, activity, abort.signal);
      this.options.onFireSettled?.();
    });
    this.chains.set(first.run.id, { promise, abort });
  }

  private finishActivity(scheduleId: string, activity: ScheduleActivity, signal: AbortSignal): void {
    activity.running -= 1;
    if (activity.running > 0) return;

    const next = activity.queued;
    activity.queued = null;
    if (next !== null && !signal.aborted) {
      this.start([next]);
      return;
    }
    this.activity.delete(scheduleId);
  }

  private async runSequence(fires: ClaimedFire[], signal: AbortSignal): Promise<void> {
    let previousStart = -Infinity;
    for (const [index, fire] of fires.entries()) {
      const wait = previousStart + this.options.catchUpSpacingMs - this.options.now();
      if (signal.aborted || (index > 0 && wait > 0 && !(await sleep(wait, signal)))) {
        await this.finishUnsent(fire.run, 'FAILURE', 'INTERRUPTED', 'The scheduler stopped before this catch-up run was sent');
        continue;
      }
      previousStart = this.options.now();
      await this.runAttempts(fire, signal);
    }
  }

  /** Sends a fire, then its retries while the schedule's retry policy allows. */
  private async runAttempts(fire: ClaimedFire, signal: AbortSignal): Promise<void> {
    const { logger, store } = this.options;
    let run = fire.run;
    for (;;) {
      let spec: HttpRequestSpec;
      try {
        spec = buildRequestSpec(fire.target, run, { cipher: this.options.secretCipher ?? null, nowMs: this.options.now() });
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        // A retry would fail the same way, so the fire ends here.
        logger.error({ err: error, schedule_id: run.schedule_id, run_id: run.id, target_id: fire.target.id }, 'could not decrypt the secrets of a target');
        const failed = await this.finishUnsent(run, 'FAILURE', 'NETWORK_ERROR', error.message);
        if (failed !== null) this.notifyFireFinished(fire, failed);
        return;
      }

      spec.logFields = { schedule_id: run.schedule_id, run_id: run.id, attempt: run.attempt };
      const result = await this.options.executor.execute(spec, signal);
      const record = toRunResult(run, result, this.options.now());
      // Only a shutdown aborts this signal, so record that cause instead of the executor's generic message.
      if (signal.aborted && record.error_type === 'INTERRUPTED') {
        record.error_message = 'The scheduler stopped before the response arrived: the shutdown grace period ran out';
      }
      const finished = await this.finish(run, record);
      if (finished === null) return;

      const decision = decideRetry({ result, method: fire.target.method, attempt: run.attempt, policy: fire.schedule.retry_policy });
      if (!decision.retry) {
        // A request cut short by a shutdown is not the target's failure.
        if (!signal.aborted) this.notifyFireFinished(fire, finished);
        return;
      }

      logger.info({ schedule_id: run.schedule_id, run_id: run.id, attempt: run.attempt, delay_ms: decision.delayMs }, 'retrying run');
      if (!(await sleep(decision.delayMs, signal))) {
        logger.warn({ schedule_id: run.schedule_id, run_id: run.id, attempt: run.attempt + 1 }, 'dropped a retry at shutdown');
        return;
      }

      try {
        run = await store.insertRun(nextAttempt(run, this.options.now(), this.options.instanceId));
      } catch (error) {
        // The schedule was deleted while the retry waited, or the attempt exists already.
        logger.warn({ err: error, schedule_id: run.schedule_id, run_id: run.id, attempt: run.attempt + 1 }, 'could not start a retry');
        this.notifyFireFinished(fire, finished);
        return;
      }
      this.notify('onRunStarted', run);
    }
  }

  /** Records a finished attempt; returns the finished run, or null when the record could not be written. */
  private async finish(run: Run, record: RunResult): Promise<Run | null> {
    try {
      await this.options.recorder.record(record);
    } catch {
      // The recorder has logged the failure; the run is recovered as INTERRUPTED on the next start.
      return null;
    }

    const finished: Run = { ...run, ...record };
    this.logRunFinished(finished);
    this.notify('onRunFinished', finished);
    return finished;
  }

  /**
   * Logs the one line of a finished run. It carries ids, outcome and
   * latency, never the URL, headers or bodies, which can hold secrets.
   */
  private logRunFinished(run: Run): void {
    this.options.logger.info(
      {
        schedule_id: run.schedule_id,
        run_id: run.id,
        target_id: run.target_id,
        attempt: run.attempt,
        status: run.status,
        status_code: run.status_code,
        latency_ms: run.latency_ms,
        error_type: run.error_type,
        manual: run.manual,
        catch_up: run.catch_up,
      },
      'run finished',
    );
  }

  private finishUnsent(run: Run, status: RunStatus, errorType: ErrorType | null, message: string): Promise<Run | null> {
    return this.finish(run, {
      id: run.id,
      ...EMPTY_RUN_OUTCOME,
      finished_at: new Date(this.options.now()),
      status,
      error_type: errorType,
      error_message: message,
    });
  }

  private notifyFireFinished(fire: ClaimedFire, run: Run): void {
    for (const observer of this.options.observers) {
      try {
        observer.onFireFinished?.(fire, run);
      } catch (error) {
        this.options.logger.error({ err: error, run_id: run.id, event: 'onFireFinished' }, 'run observer failed');
      }
    }
  }

  private notify(event: 'onRunStarted' | 'onRunFinished', run: Run): void {
    for (const observer of this.options.observers) {
      try {
        observer[event]?.(run);
      } catch (error) {
        this.options.logger.error({ err: error, run_id: run.id, event }, 'run observer failed');
      }
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Builds the RUNNING run of the attempt after `run`: same schedule and slot, so the same Idempotency-Key. */
export function nextAttempt(run: Run, now: number, instanceId: string): Run {
  return {
    ...run,
    id: newId(now),
    attempt: run.attempt + 1,
    started_at: new Date(now),
    ...EMPTY_RUN_OUTCOME,
    status: 'RUNNING',
    instance_id: instanceId,
  };
}

export function toRunResult(run: Run, result: ExecutionResult, finishedAt: number): RunResult {
  return {
    id: run.id,
    finished_at: new Date(finishedAt),
    status: result.status,
    status_code: result.statusCode,
    latency_ms: result.latencyMs,
    response_size: result.responseSize,
    // Stored masked, as the API shows them: a Set-Cookie or token a target returns is a credential too.
    response_headers: result.responseHeaders === null ? null : maskHeaders(result.responseHeaders),
    response_body: result.responseBody,
    truncated: result.truncated,
    error_type: result.errorType,
    error_message: result.errorMessage,
  };
}
