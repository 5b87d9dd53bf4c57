import type { ErrorType, HttpMethod } from '@api-scheduler/core';

/** One HTTP request to send, as the scheduler built it from a target. */
export interface HttpRequestSpec {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** Budget of one attempt in ms: connect, headers and body of every redirect hop together. */
  timeoutMs: number;
  /** Ids that the executor's log lines about this request carry, such as schedule_id and run_id. */
  logFields?: Record<string, string | number>;
}

/** Outcome of one attempt, in the shape of a run's result fields. */
export interface ExecutionResult {
  status: 'SUCCESS' | 'FAILURE';
  statusCode: number | null;
  /** Whole milliseconds from sending the first hop to the end of the body read or the error. */
  latencyMs: number;
  /** Bytes of the final response body read, counted in full and not only the excerpt. */
  responseSize: number | null;
  /** Response headers with lower-case names, and the values of a repeated header joined with ', '. */
  responseHeaders: Record<string, string> | null;
  /** UTF-8 excerpt of the body, at most `excerptBytes` bytes long. */
  responseBody: string | null;
  /** True when the excerpt is shorter than the body or reading stopped at `maxBodyBytes`. */
  truncated: boolean;
  errorType: ErrorType | null;
  errorMessage: string | null;
  /** Delay that a 429 or 503 response asked for in its Retry-After header, else null. */
  retryAfterMs: number | null;
  /** URL of the last request sent, after redirects. */
  finalUrl: string;
}
