import { HTTP_METHODS, maskHeaders } from '@api-scheduler/core';
import type { Target } from '@api-scheduler/core';
import { z } from 'zod';

export const targetOutput = z.object({
  id: z.string(),
  target_id: z.string(),
  name: z.string(),
  url: z.string(),
  method: z.enum(HTTP_METHODS),
  headers: z.record(z.string(), z.string()).describe('Request headers. Values of secret headers (Authorization, Cookie, *token*, *key*, *secret*…) read "***", and a PATCH that sends "***" back keeps the stored value'),
  body_template: z.string().nullable(),
  timeout_ms: z.number().int(),
  signed: z.boolean().describe('True when the target has a signing_secret, which is never returned: every request then carries X-Scheduler-Timestamp and X-Scheduler-Signature'),
  created_at: z.date(),
  updated_at: z.date(),
});
export type TargetOutput = z.output<typeof targetOutput>;

export function toTargetOutput(target: Target): TargetOutput {
  return {
    id: target.id,
    target_id: target.id,
    name: target.name,
    url: target.url,
    method: target.method,
    headers: maskHeaders(target.headers),
    body_template: target.body_template,
    timeout_ms: target.timeout_ms,
    signed: Boolean(target.signing_secret),
    created_at: target.created_at,
    updated_at: target.updated_at,
  };
}
