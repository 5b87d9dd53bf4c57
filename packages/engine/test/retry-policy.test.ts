import { describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY } from '@api-scheduler/core';
import type { ErrorType, HttpMethod, RetryPolicy } from '@api-scheduler/core';

import { backoffDelayMs, decideRetry } from '../src/retry-policy.js';

const noJitter: RetryPolicy = { ...DEFAULT_RETRY_POLICY, jitter: 'none' };

function failure(errorType: ErrorType | null, statusCode: number | null = null, retryAfterMs: number | null = null) {
  return { status: 'FAILURE' as const, statusCode, errorType, retryAfterMs };
}

describe('backoffDelayMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [20, 60_000],
  ])('retry %i without jitter waits %i ms', (attempt, expected) => {
    expect(backoffDelayMs(noJitter, attempt)).toBe(expected);
  });

  it.each([
    [0, 1, 0],
    [0.5, 1, 500],
    [0.999, 3, 3_996],
    [0.5, 10, 30_000],
  ])('full jitter with draw %f on retry %i waits %i ms', (draw, attempt, expected) => {
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, attempt, () => draw)).toBe(expected);
  });

  it('honours the multiplier', () => {
    const policy: RetryPolicy = { ...noJitter, initial_delay_ms: 100, multiplier: 3, max_delay_ms: 100_000 };

    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(policy, attempt))).toEqual([100, 300, 900, 2_700]);
  });
});

describe('decideRetry', () => {
  const retried: [string, ReturnType<typeof failure>][] = [
    ['TIMEOUT of GET', failure('TIMEOUT')],
    ['DNS_ERROR', failure('DNS_ERROR')],
    ['CONNECTION_REFUSED', failure('CONNECTION_REFUSED')],
    ['CONNECTION_RESET', failure('CONNECTION_RESET')],
    ['NETWORK_ERROR', failure('NETWORK_ERROR')],
    ['HTTP 500', failure('HTTP_5XX', 500)],
    ['HTTP 503', failure('HTTP_5XX', 503)],
    ['HTTP 429', failure('HTTP_4XX', 429)],
  ];
  it.each(retried)('retries %s', (_name, result) => {
    expect(decideRetry({ result, method: 'GET', attempt: 1, policy: noJitter })).toEqual({ retry: true, delayMs: 1_000 });
  });

  const notRetried: [string, ReturnType<typeof failure>][] = [
    ['HTTP 400', failure('HTTP_4XX', 400)],
    ['HTTP 404', failure('HTTP_4XX', 404)],
    ['TLS_ERROR', failure('TLS_ERROR')],
    ['TOO_MANY_REDIRECTS', failure('TOO_MANY_REDIRECTS')],
    ['BLOCKED_ADDRESS', failure('BLOCKED_ADDRESS')],
    ['INTERRUPTED', failure('INTERRUPTED')],
  ];
  it.each(notRetried)('does not retry %s', (_name, result) => {
    expect(decideRetry({ result, method: 'GET', attempt: 1, policy: noJitter }).retry).toBe(false);
  });

  it('does not retry a success', () => {
    const result = { status: 'SUCCESS' as const, statusCode: 200, errorType: null, retryAfterMs: null };

    expect(decideRetry({ result, method: 'GET', attempt: 1, policy: noJitter }).retry).toBe(false);
  });

  it.each<[HttpMethod, boolean, boolean]>([
    ['POST', false, false],
    ['PATCH', false, false],
    ['POST', true, true],
    ['PATCH', true, true],
    ['PUT', false, true],
    ['DELETE', false, true],
    ['GET', false, true],
  ])('a timed-out %s with retry_non_idempotent_timeouts %s is retried: %s', (method, allowed, expected) => {
    const policy = { ...noJitter, retry_non_idempotent_timeouts: allowed };

    expect(decideRetry({ result: failure('TIMEOUT'), method, attempt: 1, policy }).retry).toBe(expected);
  });

  it('retries a refused POST, which never reached the server', () => {
    expect(decideRetry({ result: failure('CONNECTION_REFUSED'), method: 'POST', attempt: 1, policy: noJitter }).retry).toBe(true);
  });

  it.each([
    [1, true],
    [3, true],
    [4, false],
  ])('with max_retries 3, attempt %i may retry: %s', (attempt, expected) => {
    expect(decideRetry({ result: failure('HTTP_5XX', 500), method: 'GET', attempt, policy: noJitter }).retry).toBe(expected);
  });

  it('never retries with max_retries 0', () => {
    const policy = { ...noJitter, max_retries: 0 };

    expect(decideRetry({ result: failure('HTTP_5XX', 500), method: 'GET', attempt: 1, policy }).retry).toBe(false);
  });

  it('waits at least Retry-After', () => {
    const decision = decideRetry({ result: failure('HTTP_4XX', 429, 5_000), method: 'GET', attempt: 1, policy: noJitter });

    expect(decision).toEqual({ retry: true, delayMs: 5_000 });
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    const decision = decideRetry({ result: failure('HTTP_5XX', 503, 200), method: 'GET', attempt: 2, policy: noJitter });

    expect(decision).toEqual({ retry: true, delayMs: 2_000 });
  });

  it('stops when Retry-After exceeds max_delay_ms', () => {
    const decision = decideRetry({ result: failure('HTTP_5XX', 503, 120_000), method: 'GET', attempt: 1, policy: noJitter });

    expect(decision.retry).toBe(false);
    if (decision.retry) return;
    expect(decision.reason).toContain('Retry-After');
  });
});
