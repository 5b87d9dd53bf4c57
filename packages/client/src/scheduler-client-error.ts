import { TRPCClientError } from '@trpc/client';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

import type { AppRouter, ValidationIssue } from './generated/app-router.js';

/**
 * A tRPC error code, such as NOT_FOUND. The server responds with
 * UNAUTHORIZED (401) without valid credentials, FORBIDDEN (403) when the
 * key's scope is too small, NOT_FOUND (404) for an unknown id, CONFLICT
 * (409), UNPROCESSABLE_CONTENT (422) for invalid input, TOO_MANY_REQUESTS
 * (429) after repeated invalid keys from one address, and
 * SERVICE_UNAVAILABLE (503) when the process runs no engine.
 */
export type SchedulerErrorCode = TRPC_ERROR_CODE_KEY;

export interface SchedulerClientErrorOptions {
  code?: SchedulerErrorCode | null;
  status?: number | null;
  cause?: unknown;
}

interface ServerErrorData {
  code?: unknown;
  httpStatus?: unknown;
  issues?: unknown;
}

function isValidationIssue(value: unknown): value is ValidationIssue {
  if (value === null || typeof value !== 'object') return false;
  const issue = value as Record<string, unknown>;
  return Array.isArray(issue.loc) && typeof issue.msg === 'string' && typeof issue.type === 'string';
}

/** Returns an HTTP status found on the error's metadata or cause, such as the status of a rejected live-runs stream. */
function responseStatusOf(meta: Record<string, unknown> | undefined, cause: unknown): number | null {
  const response = meta?.response;
  if (response !== null && typeof response === 'object' && typeof (response as { status?: unknown }).status === 'number') {
    return (response as { status: number }).status;
  }
  // The eventsource package reports a non-200 response to the stream request as an ErrorEvent with the status in `code`.
  const code = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'number' && code >= 100 && code <= 599) return code;
  return null;
}

/**
 * The one error that every call of a client from createSchedulerClient
 * rejects with, and that its subscriptions report. It extends tRPC's
 * TRPCClientError, so `data`, `shape` and `meta` are there as well.
 *
 * - `code`: the tRPC error code, such as 'NOT_FOUND'. It is 'TIMEOUT' when
 *   waitForNextRun timed out, and null when no tRPC response arrived
 *   because the server could not be reached or something else responded.
 * - `status`: the HTTP status, such as 404, or null when no HTTP response arrived.
 * - `issues` and `fieldErrors`: the validation issues of a 422.
 */
export class SchedulerClientError extends TRPCClientError<AppRouter> {
  readonly code: SchedulerErrorCode | null;
  readonly status: number | null;
  /** Every validation issue of a 422, each with the path of its field in the input; empty for other errors. */
  readonly issues: ValidationIssue[];
  /**
   * The messages of the validation issues, by dotted field path such as
   * "schedule_config.interval_seconds". An issue about the whole input has
   * no path and is only in `issues`.
   */
  readonly fieldErrors: Record<string, string[]>;

  constructor(message: string, options: SchedulerClientErrorOptions & { source?: TRPCClientError<AppRouter> } = {}) {
    const source = options.source;
    super(message, {
      result: source?.shape === undefined || source.shape === null ? undefined : { error: source.shape },
      cause: (options.cause ?? source?.cause) as Error | undefined,
      meta: source?.meta,
    });
    // TRPCClientError sets its own prototype, which would hide this class from instanceof.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'SchedulerClientError';

    const data = (this.data ?? {}) as ServerErrorData;
    const serverCode = typeof data.code === 'string' ? (data.code as SchedulerErrorCode) : null;
    const serverStatus = typeof data.httpStatus === 'number' ? data.httpStatus : responseStatusOf(this.meta, this.cause);
    this.code = options.code === undefined ? serverCode : options.code;
    this.status = options.status === undefined ? serverStatus : options.status;
    this.issues = Array.isArray(data.issues) ? data.issues.filter(isValidationIssue) : [];

    const fieldErrors: Record<string, string[]> = {};
    for (const issue of this.issues) {
      if (issue.loc.length === 0) continue;
      const path = issue.loc.join('.');
      (fieldErrors[path] ??= []).push(issue.msg);
    }
    this.fieldErrors = fieldErrors;
  }
}

/** Tells whether `error` is a SchedulerClientError, and when `code` is given, one with that code. */
export function isSchedulerClientError(error: unknown, code?: SchedulerErrorCode): error is SchedulerClientError {
  return error instanceof SchedulerClientError && (code === undefined || error.code === code);
}

function describeCause(cause: unknown): string | null {
  if (!(cause instanceof Error)) return null;
  // Node's fetch fails with "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND …) in its cause.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}

/**
 * Converts any failure of a call into a SchedulerClientError, and returns a
 * SchedulerClientError as it is. `url` names the server in the message of a
 * request that got no valid tRPC response.
 */
export function toSchedulerClientError(error: unknown, url?: string): SchedulerClientError {
  if (error instanceof SchedulerClientError) return error;

  if (error instanceof TRPCClientError) {
    const source = error as TRPCClientError<AppRouter>;
    const fromServer = source.data !== undefined && source.data !== null;
    if (fromServer || url === undefined) return new SchedulerClientError(source.message, { source });

    const reason = describeCause(source.cause) ?? source.message;
    return new SchedulerClientError(`Request to the API Scheduler server at ${url} failed: ${reason}`, { source });
  }

  const message = error instanceof Error ? error.message : String(error);
  return new SchedulerClientError(message, { cause: error });
}
