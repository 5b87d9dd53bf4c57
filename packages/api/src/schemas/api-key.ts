import { API_KEY_SCOPES, apiKeyScope } from '@api-scheduler/core';
import type { ApiKey } from '@api-scheduler/core';
import { z } from 'zod';

export const apiKeyOutput = z.object({
  id: z.string(),
  key_id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The public part of the key (sk_PREFIX_…), to tell keys apart'),
  scope: z.enum(API_KEY_SCOPES),
  created_at: z.date(),
  last_used_at: z.date().nullable().describe('Recorded at most once a minute per key and process'),
  revoked_at: z.date().nullable(),
});
export type ApiKeyOutput = z.output<typeof apiKeyOutput>;

export const createdApiKeyOutput = apiKeyOutput.extend({
  key: z.string().describe('The key itself, shown only in this response: only its hash is stored'),
});

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, 'name may not be empty').max(100, 'name is longer than 100 characters'),
  scope: apiKeyScope.describe('read: only reads; write: also changes targets and schedules; admin: also manages keys'),
});

export const signInInput = z.strictObject({
  key: z.string().min(1, 'key may not be empty').max(200, 'key is longer than 200 characters'),
});

export const signInOutput = z.object({
  scope: z.enum(API_KEY_SCOPES),
  expires_at: z.date(),
});

export const sessionOutput = z.object({
  auth_required: z.boolean().describe('True while at least one unrevoked API key exists, so every request must authenticate'),
  authenticated: z.boolean().describe('True when the request carried a valid session cookie or API key'),
  via: z.enum(['session', 'key']).nullable(),
  scope: z.enum(API_KEY_SCOPES).nullable().describe('What the caller may do; admin on a server without keys, null when not authenticated'),
});

export function toApiKeyOutput(key: ApiKey): ApiKeyOutput {
  return {
    id: key.id,
    key_id: key.id,
    name: key.name,
    prefix: key.prefix,
    scope: key.scope,
    created_at: key.created_at,
    last_used_at: key.last_used_at,
    revoked_at: key.revoked_at,
  };
}
