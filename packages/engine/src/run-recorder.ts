import type { Logger } from 'pino';

import type { RunResult, Store } from '@api-scheduler/db';

export interface RunRecorderOptions {
  /** A batch is written once it has this many results... */
  maxBatch: number;
  /** ...or once the oldest result has waited this long, in milliseconds. */
  maxDelayMs: number;
}

const WRITE_ATTEMPTS = 3;

interface Pending {
  result: RunResult;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes finished attempts in batches (group commit): one transaction for
 * many results costs about as much as one for a single result, so a burst of
 * fires does not queue behind a transaction per run.
 */
export class RunRecorder {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: RunRecorderOptions = { maxBatch: 500, maxDelayMs: 5 },
  ) {}

  /** Queues a result; resolves once it is committed, rejects if the write failed. */
  record(result: RunResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ result, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) {
        void this.flush();
      } else if (this.timer === null) {
        this.timer = setTimeout(() => void this.flush(), this.options.maxDelayMs);
      }
    });
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Writes everything queued so far; batches are written one after another, never concurrently. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;

    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  // A failed write is tried again, because a busy database usually frees up.
  // Runs whose result is still lost stay RUNNING until the next start
  // records them as INTERRUPTED, so none is left looking in flight.
  private async write(batch: Pending[]): Promise<void> {
    const results = batch.map((item) => item.result);
    let lastError: unknown;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      try {
        await this.store.finishRuns(results);
        for (const item of batch) item.resolve();
        return;
      } catch (error) {
        lastError = error;
        this.logger.warn({ err: error, runs: batch.length, attempt }, 'failed to record run results');
        if (attempt < WRITE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    this.logger.error({ err: lastError, runs: batch.length, run_ids: results.map((result) => result.id) }, 'gave up recording run results');
    for (const item of batch) item.reject(lastError);
  }
}
