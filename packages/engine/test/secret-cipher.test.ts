import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { ENCRYPTED_PREFIX, SecretCipher, SecretDecryptionError, isEncrypted, parseSecretKey, revealSecret } from '../src/index.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('SecretCipher', () => {
  it('round-trips a value with a fresh IV each time', () => {
    const cipher = new SecretCipher(keyA);
    const first = cipher.encrypt('Bearer abc');
    const second = cipher.encrypt('Bearer abc');

    expect(first.startsWith(`${ENCRYPTED_PREFIX}${cipher.currentKeyId}:`)).toBe(true);
    expect(first).not.toBe(second);
    expect(first).not.toContain('abc');
    expect(cipher.decrypt(first)).toBe('Bearer abc');
    expect(cipher.decrypt(second)).toBe('Bearer abc');
  });

  it('returns plain values unchanged', () => {
    expect(new SecretCipher(keyA).decrypt('Bearer plain')).toBe('Bearer plain');
  });

  it('decrypts with the previous key and writes with the current one', () => {
    const old = new SecretCipher(keyA);
    const rotated = new SecretCipher(keyB, [keyA]);
    const stored = old.encrypt('s3cret');

    expect(rotated.decrypt(stored)).toBe('s3cret');
    expect(rotated.needsReencryption(stored)).toBe(true);
    expect(rotated.needsReencryption(rotated.encrypt('s3cret'))).toBe(false);
    expect(rotated.needsReencryption('plain')).toBe(true);
  });

  it('rejects a value under an unknown key', () => {
    const stored = new SecretCipher(keyA).encrypt('s3cret');

    expect(() => new SecretCipher(keyB).decrypt(stored)).toThrow(SecretDecryptionError);
    expect(() => new SecretCipher(keyB).decrypt(stored)).toThrow(/neither SCHEDULER_SECRET_KEY .* nor SCHEDULER_SECRET_KEY_PREVIOUS/);
  });

  it('rejects a tampered value', () => {
    const cipher = new SecretCipher(keyA);
    const stored = cipher.encrypt('s3cret');
    const sealed = Buffer.from(stored.slice(stored.lastIndexOf(':') + 1), 'base64');
    sealed[sealed.length - 20]! ^= 1;
    const tampered = `${stored.slice(0, stored.lastIndexOf(':') + 1)}${sealed.toString('base64')}`;

    expect(() => cipher.decrypt(tampered)).toThrow('the value is damaged');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretCipher(randomBytes(16))).toThrow('Invalid secret key: expected 32 bytes, got 16');
  });
});

describe('revealSecret', () => {
  it('needs a cipher for an encrypted value', () => {
    const stored = new SecretCipher(keyA).encrypt('s3cret');

    expect(isEncrypted(stored)).toBe(true);
    expect(() => revealSecret(stored, null)).toThrow('SCHEDULER_SECRET_KEY is not set');
    expect(revealSecret('plain', null)).toBe('plain');
  });
});

describe('parseSecretKey', () => {
  it.each([
    ['hex', keyA.toString('hex')],
    ['base64', keyA.toString('base64')],
    ['base64url without padding', keyA.toString('base64url')],
    ['base64 with spaces around', `  ${keyA.toString('base64')}\n`],
  ])('reads %s', (_form, text) => {
    expect(parseSecretKey(text).equals(keyA)).toBe(true);
  });

  it.each(['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('hex'), 'g'.repeat(64)])('rejects %j', (text) => {
    expect(() => parseSecretKey(text)).toThrow('must be 32 random bytes written as 64 hex digits or as base64 (44 characters)');
  });
});
