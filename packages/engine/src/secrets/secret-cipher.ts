import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Prefix of a value that this cipher encrypted. Values without it are stored as plain text. */
export const ENCRYPTED_PREFIX = 'enc:v1:';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a stored secret cannot be decrypted: no key, an unknown key, or a damaged value. */
export class SecretDecryptionError extends Error {
  readonly code = 'ERR_SECRET_DECRYPTION';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Encrypts secrets at rest with AES-256-GCM. An encrypted value reads
 * `enc:v1:<key id>:<base64 of IV, ciphertext and tag>`, with a random
 * 12-byte IV per value. The key id is the first 8 hex digits of the key's
 * SHA-256, so a value names the key it needs without revealing it, and
 * values under the current and a previous key can coexist during a rotation.
 */
export class SecretCipher {
  readonly #current: Buffer;
  readonly #currentId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;

  /** `current` encrypts and decrypts; each of `previous` only decrypts. Every key is 32 bytes. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== KEY_BYTES) throw new RangeError(`Invalid secret key: expected ${KEY_BYTES} bytes, got ${key.length}`);
    }
    this.#current = Buffer.from(current);
    this.#currentId = keyIdOf(current);
    this.#keys = new Map([...previous, current].map((key) => [keyIdOf(key), Buffer.from(key)]));
  }

  /** Id of the key that `encrypt` uses. */
  get currentKeyId(): string {
    return this.#currentId;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    return `${ENCRYPTED_PREFIX}${this.#currentId}:${sealed.toString('base64')}`;
  }

  /** Decrypts a value that `encrypt` returned under any known key, and returns a plain value unchanged. */
  decrypt(value: string): string {
    if (!isEncrypted(value)) return value;

    const { keyId, sealed } = splitEncrypted(value);
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new SecretDecryptionError(
        `Cannot decrypt a stored secret: it was encrypted with key ${keyId}, which is neither SCHEDULER_SECRET_KEY (${this.#currentId}) nor SCHEDULER_SECRET_KEY_PREVIOUS. Set the key it was written with`,
      );
    }
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptionError('Cannot decrypt a stored secret: the value is truncated');

    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretDecryptionError(`Cannot decrypt a stored secret with key ${keyId}: the value is damaged`, { cause: error });
    }
  }

  /** Tells whether `value` is plain or encrypted with a key other than the current one. */
  needsReencryption(value: string): boolean {
    return !isEncrypted(value) || splitEncrypted(value).keyId !== this.#currentId;
  }
}

/** Tells whether a stored value is encrypted, whether or not a key to decrypt it is at hand. */
export function isEncrypted(value: string): boolean {
  return value.startsWith(ENCRYPTED_PREFIX);
}

/**
 * Decrypts `value` with `cipher`, or returns it unchanged when it is plain.
 * Throws SecretDecryptionError for an encrypted value without a cipher.
 */
export function revealSecret(value: string, cipher: SecretCipher | null): string {
  if (!isEncrypted(value)) return value;
  if (cipher === null) {
    throw new SecretDecryptionError('Cannot decrypt a stored secret: it is encrypted, and SCHEDULER_SECRET_KEY is not set. Set the key it was written with');
  }
  return cipher.decrypt(value);
}

/**
 * Parses a 32-byte key written as 64 hex digits or as base64 (standard or
 * URL-safe, with or without padding). Throws a RangeError that names the
 * expected forms.
 */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');

  const base64 = trimmed.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (/^[A-Za-z0-9+/]+$/.test(base64)) {
    const key = Buffer.from(base64, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new RangeError(
    `must be ${KEY_BYTES} random bytes written as 64 hex digits or as base64 (44 characters); generate one with: openssl rand -base64 32`,
  );
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function splitEncrypted(value: string): { keyId: string; sealed: Buffer } {
  const rest = value.slice(ENCRYPTED_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw new SecretDecryptionError('Cannot decrypt a stored secret: the value has no key id');
  return { keyId: rest.slice(0, colon), sealed: Buffer.from(rest.slice(colon + 1), 'base64') };
}
