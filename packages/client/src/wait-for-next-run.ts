import type { SchedulerClient } from './create-scheduler-client.js';
import { SchedulerClientError, toSchedulerClientError } from './scheduler-client-error.js';
import type { Run } from './types.js';

export interface WaitForNextRunOptions {
  /** How long to wait for the run to finish, in milliseconds. Default: 60000. */
  timeoutMs?: number;
  /** Ends the wait early: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Triggers the schedule ("run now") once the live-runs stream is open, and
   * waits for that run rather than for any run of the schedule.
   */
  trigger?: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Waits for the next run of a schedule to finish and resolves with it
 * (status SUCCESS, FAILURE or SKIPPED). It listens on the runs.onRun
 * subscription, so only runs that finish after the stream opened count.
 * With `trigger: true` the schedule is triggered once the stream is open,
 * so its run cannot be missed. A retry is a run of its own, so the first
 * attempt that finishes is the one returned.
 *
 * Rejects with a SchedulerClientError: code 'TIMEOUT' when no run finished
 * within `timeoutMs`, 'NOT_FOUND' for an unknown schedule, or the error of
 * the stream or the trigger.
 */
export function waitForNextRun(client: SchedulerClient, scheduleId: string, options: WaitForNextRunOptions = {}): Promise<Run> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, signal, trigger = false } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return Promise.reject(new TypeError(`waitForNextRun: timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`));
  }

  return new Promise<Run>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    let settled = false;
    let subscription: { unsubscribe(): void } | null = null;
    let triggerSent = false;
    let triggeredRunId: string | null = null;
    // Runs that finished before the trigger's response named the run to wait for.
    const finishedEarly = new Map<string, Run>();
    let lastStreamError: SchedulerClientError | null = null;

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      subscription?.unsubscribe();
      outcome();
    };
    const succeed = (run: Run) => settle(() => resolve(run));
    const fail = (error: unknown) => settle(() => reject(toSchedulerClientError(error)));
    const onAbort = () => settle(() => reject(signal?.reason));

    const timer = setTimeout(() => {
      const streamProblem = lastStreamError === null ? '' : `; the live-runs stream last failed with: ${lastStreamError.message}`;
      fail(new SchedulerClientError(`No run of schedule ${scheduleId} finished within ${timeoutMs} ms${streamProblem}`, { code: 'TIMEOUT', status: null }));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const startTrigger = () => {
      triggerSent = true;
      client.schedules.trigger.mutate({ id: scheduleId }).then((run) => {
        triggeredRunId = run.id;
        const finished = finishedEarly.get(run.id);
        if (finished !== undefined) succeed(finished);
      }, fail);
    };

    // Events sent while the stream reconnected are not replayed, so after a
    // reconnect the triggered run is read once in case it finished meanwhile.
    const recheckTriggeredRun = (runId: string) => {
      client.runs.get.query({ id: runId }).then((run) => {
        if (run.status !== 'RUNNING') succeed(run);
      }, fail);
    };

    subscription = client.runs.onRun.subscribe(
      { schedule_id: scheduleId },
      {
        onStarted: () => {
          if (!trigger) return;
          if (!triggerSent) startTrigger();
          else if (triggeredRunId !== null) recheckTriggeredRun(triggeredRunId);
        },
        onData: (change) => {
          if (change.kind !== 'finished') return;
          if (!trigger) {
            succeed(change.run);
            return;
          }
          if (triggeredRunId === null) finishedEarly.set(change.run.id, change.run);
          else if (change.run.id === triggeredRunId) succeed(change.run);
        },
        onConnectionStateChange: (state) => {
          if (state.error !== null) lastStreamError = toSchedulerClientError(state.error);
        },
        onError: fail,
      },
    );

    // Without a trigger, an unknown id would only show when the timeout ends.
    if (!trigger) client.schedules.get.query({ id: scheduleId }).catch(fail);
  });
}
