import type { Logger } from 'pino';

import type { Run } from '@api-scheduler/core';
import type { ClaimedFire, RunResult } from '@api-scheduler/db';

import { buildRequestSpec } from './build-request.js';
import type { ExecutionResult, HttpExecutor } from './executor/index.js';
import type { RunObserver } from './run-observer.js';
import type { RunRecorder } from './run-recorder.js';

export interface DispatcherOptions {
  executor: Pick<HttpExecutor, 'execute'>;
  recorder: RunRecorder;
  observers: RunObserver[];
  logger: Logger;
  now: () => number;
}

/**
 * Sends claimed fires and records their outcome. Each fire runs on its own
 * promise: the loop never waits for a request, so a slow target cannot
 * delay another schedule's fire.
 */
export class Dispatcher {
  private readonly inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();

  constructor(private readonly options: DispatcherOptions) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  dispatch(fire: ClaimedFire): void {
    this.notify('onRunStarted', fire.run);
    if (fire.run.status !== 'RUNNING') {
      this.notify('onRunFinished', fire.run);
      return;
    }

    const abort = new AbortController();
    const promise = this.send(fire, abort.signal).finally(() => this.inFlight.delete(fire.run.id));
    this.inFlight.set(fire.run.id, { promise, abort });
  }

  /**
   * Waits for the requests in flight, at most `graceMs`; then aborts the rest,
   * which are recorded as INTERRUPTED, and waits for those records.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;

    const all = () => Promise.allSettled([...this.inFlight.values()].map((entry) => entry.promise));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all().then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'done') return;

    this.options.logger.warn({ runs: this.inFlight.size, grace_ms: graceMs }, 'interrupting runs still in flight after the shutdown grace period');
    for (const entry of this.inFlight.values()) entry.abort.abort();
    await all();
  }

  private async send(fire: ClaimedFire, signal: AbortSignal): Promise<void> {
    const { run, target } = fire;
    const result = await this.options.executor.execute(buildRequestSpec(target, run), signal);
    const record = toRunResult(run, result, this.options.now());

    try {
      await this.options.recorder.record(record);
    } catch {
      // The recorder has logged the failure; the run is recovered as INTERRUPTED on the next start.
      return;
    }

    const finished: Run = { ...run, ...record };
    this.options.logger.info(
      {
        schedule_id: run.schedule_id,
        run_id: run.id,
        attempt: run.attempt,
        status: finished.status,
        status_code: finished.status_code,
        latency_ms: finished.latency_ms,
        error_type: finished.error_type,
      },
      'run finished',
    );
    this.notify('onRunFinished', finished);
  }

  private notify(event: keyof RunObserver, run: Run): void {
    for (const observer of this.options.observers) {
      try {
        observer[event]?.(run);
      } catch (error) {
        this.options.logger.error({ err: error, run_id: run.id, event }, 'run observer failed');
      }
    }
  }
}

export function toRunResult(run: Run, result: ExecutionResult, finishedAt: number): RunResult {
  return {
    id: run.id,
    finished_at: new Date(finishedAt),
    status: result.status,
    status_code: result.statusCode,
    latency_ms: result.latencyMs,
    response_size: result.responseSize,
    response_headers: result.responseHeaders,
    response_body: result.responseBody,
    truncated: result.truncated,
    error_type: result.errorType,
    error_message: result.errorMessage,
  };
}
