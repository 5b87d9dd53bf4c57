const secretNamePattern = /authorization|cookie|token|key|secret|password|credential|signature/i;

// Names that match the pattern but carry no credential. An Idempotency-Key
// only deduplicates requests, so clients may read it back.
const NOT_SECRET_NAMES: ReadonlySet<string> = new Set(['idempotency-key']);

export const MASK = '***';

/** Tells whether a header's value is a credential that must never be shown or logged. */
export function isSecretHeaderName(name: string): boolean {
  return secretNamePattern.test(name) && !NOT_SECRET_NAMES.has(name.toLowerCase());
}

/** Returns a copy of `headers` with every secret value replaced by a mask. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    masked[name] = isSecretHeaderName(name) ? MASK : value;
  }
  return masked;
}
