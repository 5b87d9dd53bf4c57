import { isSecretHeaderName } from '@api-scheduler/core';
import type { Target } from '@api-scheduler/core';

import { revealSecret } from './secret-cipher.js';
import type { SecretCipher } from './secret-cipher.js';

/** The fields of a target that hold secrets. */
export type TargetSecrets = Pick<Target, 'headers' | 'signing_secret'>;

/**
 * Encrypts the values of secret headers (Authorization, Cookie, *token*,
 * *key*, *secret*, *password*…) for storage. Without a cipher, or for other
 * headers, values stay as they are.
 */
export function sealHeaders(headers: Record<string, string>, cipher: SecretCipher | null): Record<string, string> {
  if (cipher === null) return headers;

  const sealed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    sealed[name] = isSecretHeaderName(name) ? cipher.encrypt(value) : value;
  }
  return sealed;
}

/** Encrypts a signing secret for storage, or returns it unchanged without a cipher. */
export function sealSigningSecret(secret: string | null, cipher: SecretCipher | null): string | null {
  return secret === null || cipher === null ? secret : cipher.encrypt(secret);
}

/**
 * Returns a copy of `target` with its encrypted header values and signing
 * secret decrypted, for building the request. Throws SecretDecryptionError
 * when a value cannot be decrypted.
 */
export function revealTarget(target: Target, cipher: SecretCipher | null): Target {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    headers[name] = revealSecret(value, cipher);
  }
  const signingSecret = target.signing_secret === null ? null : revealSecret(target.signing_secret, cipher);
  return { ...target, headers, signing_secret: signingSecret };
}

/**
 * Re-encrypts a target's secrets with the cipher's current key: values under
 * a previous key and plain secret values alike. Returns null when every
 * secret already uses the current key. Throws SecretDecryptionError for a
 * value that no known key decrypts.
 */
export function resealTarget(target: Target, cipher: SecretCipher): TargetSecrets | null {
  let changed = false;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    if (isSecretHeaderName(name) && cipher.needsReencryption(value)) {
      headers[name] = cipher.encrypt(cipher.decrypt(value));
      changed = true;
    } else {
      headers[name] = value;
    }
  }

  let signingSecret = target.signing_secret;
  if (signingSecret !== null && cipher.needsReencryption(signingSecret)) {
    signingSecret = cipher.encrypt(cipher.decrypt(signingSecret));
    changed = true;
  }

  return changed ? { headers, signing_secret: signingSecret } : null;
}
