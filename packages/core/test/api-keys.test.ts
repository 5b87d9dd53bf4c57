import { describe, expect, it } from 'vitest';

import { apiKeyMatches, apiKeyPrefixOf, generateApiKey, hashApiKey, scopeAllows } from '../src/index.js';

describe('generateApiKey', () => {
  it('makes sk_PREFIX_SECRET with its hash', () => {
    const { key, prefix, hash } = generateApiKey();

    expect(key).toMatch(/^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`sk_${prefix}_`)).toBe(true);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('makes a different key each time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().key));

    expect(keys.size).toBe(100);
  });
});

describe('apiKeyPrefixOf', () => {
  it('reads the prefix of a valid key', () => {
    const { key, prefix } = generateApiKey();

    expect(apiKeyPrefixOf(key)).toBe(prefix);
  });

  it.each(['', 'sk_', 'sk_0123456789ab', 'sk_0123456789AB_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'pk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ' sk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'])(
    'rejects %j',
    (text) => {
      expect(apiKeyPrefixOf(text)).toBeNull();
    },
  );
});

describe('apiKeyMatches', () => {
  it('accepts only the key that was hashed', () => {
    const { key, hash } = generateApiKey();
    const other = generateApiKey();

    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(other.key, hash)).toBe(false);
    expect(apiKeyMatches(`${key}x`, hash)).toBe(false);
    expect(apiKeyMatches(key, 'abcd')).toBe(false);
  });
});

describe('scopeAllows', () => {
  it.each([
    ['read', 'read', true],
    ['read', 'write', false],
    ['read', 'admin', false],
    ['write', 'read', true],
    ['write', 'write', true],
    ['write', 'admin', false],
    ['admin', 'read', true],
    ['admin', 'write', true],
    ['admin', 'admin', true],
  ] as const)('%s key for a %s call: %s', (granted, required, expected) => {
    expect(scopeAllows(granted, required)).toBe(expected);
  });
});
