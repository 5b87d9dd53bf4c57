import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

/** Scopes of an API key, each one granting everything the ones before it grant. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeyScope = z.enum(API_KEY_SCOPES, { error: 'scope must be read, write or admin' });

/** Tells whether a key of scope `granted` may call what requires scope `required`: read < write < admin. */
export function scopeAllows(granted: ApiKeyScope, required: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(granted) >= API_KEY_SCOPES.indexOf(required);
}

/** An API key as stored and listed: never the key itself, and the hash only in StoredApiKey. */
export interface ApiKey {
  id: string;
  name: string;
  /** The public part of the key, after "sk_": it finds the key's row and identifies the key in lists. */
  prefix: string;
  scope: ApiKeyScope;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface StoredApiKey extends ApiKey {
  /** SHA-256 of the whole key, as lowercase hex. */
  hash: string;
}

const PREFIX_BYTES = 6;
const SECRET_BYTES = 32;

// sk_ + 12 lowercase hex characters + _ + 43 base64url characters (256 random bits).
const KEY_PATTERN = /^sk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Hashes a whole key. A plain SHA-256 suffices because the key contains 256 random bits, so no dictionary can guess it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a new random key: the key to show once, its prefix and the hash to store. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(PREFIX_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const key = `sk_${prefix}_${secret}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** Returns the prefix of a key in the format that generateApiKey makes, or null for any other text. */
export function apiKeyPrefixOf(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

/** Tells whether `key` hashes to `storedHash`, comparing the hashes in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(key), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
