import { maskHeaders } from '@api-scheduler/core';
import type { Run, RunRequest, Schedule, Target } from '@api-scheduler/core';

import type { HttpRequestSpec } from './executor/index.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * Returns the Idempotency-Key of a fire. It is the same for every attempt of
 * one planned slot of one schedule and different for every other slot, so a
 * target can drop the duplicates that retries may cause.
 */
export function idempotencyKey(scheduleId: string, scheduledFor: Date): string {
  return `${scheduleId}:${scheduledFor.getTime()}`;
}

function requestHeaders(target: Target, key: string | null): Record<string, string> {
  const headers = { ...target.headers };
  const hasKey = Object.keys(headers).some((name) => name.toLowerCase() === IDEMPOTENCY_HEADER.toLowerCase());
  if (key !== null && !hasKey) headers[IDEMPOTENCY_HEADER] = key;
  return headers;
}

/** Builds the request of a fire, as the executor sends it. */
export function buildRequestSpec(target: Target, run: Pick<Run, 'schedule_id' | 'scheduled_for'>): HttpRequestSpec {
  return {
    method: target.method,
    url: target.url,
    headers: requestHeaders(target, idempotencyKey(run.schedule_id, run.scheduled_for)),
    body: target.body_template,
    timeoutMs: target.timeout_ms,
  };
}

/** Builds the request stored with a run: the target's request with secret header values masked. */
export function describeRequest(target: Target): RunRequest {
  return { method: target.method, url: target.url, headers: maskHeaders(target.headers) };
}

export type { Schedule };
