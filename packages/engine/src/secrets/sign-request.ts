import { createHmac } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Scheduler-Timestamp';
export const SIGNATURE_HEADER = 'X-Scheduler-Signature';

/**
 * Returns the signature header value of a request: `v1=` and the hex
 * HMAC-SHA256, keyed with the UTF-8 bytes of `secret`, of
 * `<timestamp>.<body>`, where timestamp is the X-Scheduler-Timestamp value
 * (Unix seconds) and body is the request body as sent, or empty.
 */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Returns the two headers that sign a request sent at `nowMs` (Unix milliseconds). */
export function signingHeaders(secret: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signatureOf(secret, timestamp, body) };
}
