import type { ErrorType } from '@api-scheduler/core';

import type { BodyExcerptCollector } from './body-excerpt.js';
import { parseRetryAfter } from './parse-retry-after.js';
import type { ExecutionResult } from './types.js';

/** Progress of an attempt, kept so that a failure midway still reports the status, headers and bytes already read. */
export interface AttemptProgress {
  /** performance.now() when the first hop was sent. */
  startedAt: number;
  url: URL;
  statusCode: number | null;
  headers: Record<string, string> | null;
  body: BodyExcerptCollector | null;
}

export interface AttemptError {
  errorType: ErrorType;
  message: string;
}

/** Error type of a response status: HTTP_4XX, HTTP_5XX, or null for 2xx and 3xx. */
export function errorTypeOfStatus(statusCode: number): ErrorType | null {
  if (statusCode >= 500) {
    return 'HTTP_5XX';
  }
  if (statusCode >= 400) {
    return 'HTTP_4XX';
  }
  return null;
}

/** Builds the result of an attempt that ended now, as SUCCESS when `error` is null. */
export function buildExecutionResult(progress: AttemptProgress, error: AttemptError | null): ExecutionResult {
  const latencyMs = Math.max(0, Math.round(performance.now() - progress.startedAt));
  const excerpt = progress.body?.result() ?? null;

  return {
    status: error === null ? 'SUCCESS' : 'FAILURE',
    statusCode: progress.statusCode,
    latencyMs,
    responseSize: excerpt?.size ?? null,
    responseHeaders: progress.headers,
    responseBody: excerpt?.text ?? null,
    truncated: excerpt?.truncated ?? false,
    errorType: error?.errorType ?? null,
    errorMessage: error?.message ?? null,
    retryAfterMs: retryAfterOf(progress),
    finalUrl: progress.url.href,
  };
}

/** Builds the result of a request that was never sent. */
export function buildUnsentResult(url: string, error: AttemptError): ExecutionResult {
  return {
    status: 'FAILURE',
    statusCode: null,
    latencyMs: 0,
    responseSize: null,
    responseHeaders: null,
    responseBody: null,
    truncated: false,
    errorType: error.errorType,
    errorMessage: error.message,
    retryAfterMs: null,
    finalUrl: url,
  };
}

function retryAfterOf(progress: AttemptProgress): number | null {
  if (progress.statusCode !== 429 && progress.statusCode !== 503) {
    return null;
  }
  return parseRetryAfter(progress.headers?.['retry-after'], Date.now());
}
