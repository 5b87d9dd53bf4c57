import { maskHeaders, methodSendsBody } from '@api-scheduler/core';
import type { Run, RunRequest, Schedule, Target } from '@api-scheduler/core';

import type { HttpRequestSpec } from './executor/index.js';
import type { SecretCipher } from './secrets/secret-cipher.js';
import { signingHeaders } from './secrets/sign-request.js';
import { revealTarget } from './secrets/target-secrets.js';

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

export interface RequestSecrets {
  /** Decrypts the target's encrypted secrets; null when SCHEDULER_SECRET_KEY is not set. */
  cipher: SecretCipher | null;
  /** The send time, in Unix milliseconds, that a signed request carries. */
  nowMs: number;
}

/**
 * Builds the request of a fire, as the executor sends it: the target's
 * secrets decrypted, and the signature headers added when the target has a
 * signing secret. Throws SecretDecryptionError when a secret cannot be
 * decrypted.
 */
export function buildRequestSpec(
  stored: Target,
  run: Pick<Run, 'schedule_id' | 'scheduled_for'>,
  secrets: RequestSecrets = { cipher: null, nowMs: Date.now() },
): HttpRequestSpec {
  const target = revealTarget(stored, secrets.cipher);
  const headers = requestHeaders(target, idempotencyKey(run.schedule_id, run.scheduled_for));
  if (target.signing_secret !== null) {
    // The executor sends no body with GET, HEAD and OPTIONS, so their signature covers an empty body.
    const signedBody = methodSendsBody(target.method) ? (target.body_template ?? '') : '';
    Object.assign(headers, signingHeaders(target.signing_secret, secrets.nowMs, signedBody));
  }

  return {
    method: target.method,
    url: target.url,
    headers,
    body: target.body_template,
    timeoutMs: target.timeout_ms,
  };
}

/** Builds the request stored with a run: the target's request with secret header values masked. */
export function describeRequest(target: Target): RunRequest {
  return { method: target.method, url: target.url, headers: maskHeaders(target.headers) };
}

export type { Schedule };
