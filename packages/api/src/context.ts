import type { AddressPolicy, Clock, ErrorType, Run, Target } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';
import type { SecretCipher } from '@api-scheduler/engine';
import type { Logger } from 'pino';

import type { Authenticator } from './auth/authenticator.js';
import type { RequestInfo } from './auth/request-info.js';
import { EngineUnavailableError } from './engine-unavailable-error.js';
import type { RunFeed } from './live-runs/run-feed.js';

/** The part of the engine that the API drives. */
export interface SchedulerControl {
  /** Makes the scheduler loop re-read the earliest next_run_at, after a change that may move it. */
  wake(): void;
  /**
   * Starts a manual run of a schedule now ("run now") and returns it while it
   * is still RUNNING. The run has manual true, scheduled_for now and attempt
   * 1, and leaves the schedule's next_run_at and run_count unchanged. Throws
   * core's NotFoundError for an unknown schedule.
   */
  trigger(scheduleId: string): Promise<Run>;
}

/** The outcome of a test request to a target: what a run would record, headers with secret values masked. */
export interface TargetTestResult {
  status: 'SUCCESS' | 'FAILURE';
  status_code: number | null;
  latency_ms: number;
  response_size: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  truncated: boolean;
  error_type: ErrorType | null;
  error_message: string | null;
}

/** The SchedulerControl of a process without an engine: wake does nothing, and trigger raises EngineUnavailableError. */
export const schedulerWithoutEngine: SchedulerControl = {
  // The workers find changes on their next claim.
  wake() {},
  trigger: () => Promise.reject(new EngineUnavailableError('Run now')),
};

/**
 * The context of every procedure. The server builds it once per process and
 * adds `request` for each HTTP request.
 */
export interface ApiContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  scheduler: SchedulerControl;
  /** Identifies this process among several that share one database. */
  instanceId: string;
  /** When the process started, Unix milliseconds on `clock`. */
  startedAt: number;
  /**
   * Checks the credentials of requests. Without it every procedure runs with
   * full access, as in-process callers and tests without keys expect.
   */
  auth?: Authenticator;
  /** The HTTP request being served. Absent for an in-process call, which then carries no credentials. */
  request?: RequestInfo;
  /**
   * The outbound address policy, used to reject a target URL whose host is
   * an IP literal the engine would block. Absent: such URLs are not checked
   * here, and the engine still checks every connection.
   */
  addressPolicy?: AddressPolicy;
  /** The source of the live-runs subscription. Absent: runs.onRun fails with METHOD_NOT_SUPPORTED. */
  runFeed?: RunFeed;
  /** Encrypts secret header values and signing secrets before they are stored; absent or null stores them plain. */
  secretCipher?: SecretCipher | null;
  /**
   * Sends a target's request once, as a fire would (secrets decrypted, the
   * address guard applied), without recording a run. Absent: targets.test
   * returns 503.
   */
  testTarget?: (target: Target) => Promise<TargetTestResult>;
}
