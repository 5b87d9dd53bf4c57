import type { ErrorType, HttpMethod, RetryPolicy } from '@api-scheduler/core';

import type { ExecutionResult } from './executor/index.js';

// Failures that a later attempt may not meet: the network or the server was
// briefly unwell. TLS, redirect, address and 4xx failures repeat as they are.
const RETRYABLE_ERRORS: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'TIMEOUT',
  'DNS_ERROR',
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'NETWORK_ERROR',
  'HTTP_5XX',
]);

// A timeout leaves unknown whether the server acted on the request; sending
// a POST or PATCH again could do the work twice.
const NON_IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['POST', 'PATCH']);

const TOO_MANY_REQUESTS = 429;

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

export interface RetryInput {
  result: Pick<ExecutionResult, 'status' | 'statusCode' | 'errorType' | 'retryAfterMs'>;
  method: HttpMethod;
  /** The attempt that just finished, 1 for the first. */
  attempt: number;
  policy: RetryPolicy;
  /** Uniform random number in [0, 1), for jitter. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry):
 * initial_delay_ms · multiplier^(attempt − 1), capped at max_delay_ms, then
 * with full jitter a uniform draw between 0 and that cap ("Exponential
 * Backoff And Jitter", AWS Architecture Blog, 2015).
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = policy.initial_delay_ms * policy.multiplier ** (attempt - 1);
  const capped = Math.min(policy.max_delay_ms, exponential);
  return policy.jitter === 'full' ? Math.floor(random() * capped) : Math.round(capped);
}

/**
 * Decides whether a failed attempt is tried again, and after how long.
 * Network errors, 5xx and 429 are retried while attempts remain; a timeout
 * of POST or PATCH only when the policy allows it. A Retry-After header sets
 * the least delay; one longer than max_delay_ms ends the retries instead of
 * waiting longer than the policy allows.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { result, method, attempt, policy } = input;
  if (result.status === 'SUCCESS') return { retry: false, reason: 'succeeded' };
  if (result.errorType === 'INTERRUPTED') return { retry: false, reason: 'interrupted' };

  const retryable = result.statusCode === TOO_MANY_REQUESTS || (result.errorType !== null && RETRYABLE_ERRORS.has(result.errorType));
  if (!retryable) return { retry: false, reason: `${result.errorType ?? 'failure'} is not retried` };

  if (result.errorType === 'TIMEOUT' && NON_IDEMPOTENT_METHODS.has(method) && !policy.retry_non_idempotent_timeouts) {
    return { retry: false, reason: `a timed-out ${method} is not retried unless retry_non_idempotent_timeouts is set` };
  }
  if (attempt > policy.max_retries) return { retry: false, reason: `all ${policy.max_retries} retries used` };

  const backoff = backoffDelayMs(policy, attempt, input.random);
  if (result.retryAfterMs === null) return { retry: true, delayMs: backoff };
  if (result.retryAfterMs > policy.max_delay_ms) {
    return { retry: false, reason: `Retry-After of ${result.retryAfterMs} ms exceeds max_delay_ms ${policy.max_delay_ms}` };
  }
  return { retry: true, delayMs: Math.max(backoff, result.retryAfterMs) };
}
