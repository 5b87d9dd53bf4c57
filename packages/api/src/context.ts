import type { Clock } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';
import type { Logger } from 'pino';

/** The part of the engine that the API drives. */
export interface SchedulerControl {
  /** Makes the scheduler loop re-read the earliest next_run_at, after a change that may move it. */
  wake(): void;
}

/** The context of every procedure. The server builds it once per process, not per request. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  scheduler: SchedulerControl;
  /** Identifies this process among several that share one database. */
  instanceId: string;
  /** When the process started, Unix milliseconds on `clock`. */
  startedAt: number;
}
