const secretNamePattern = /authorization|cookie|token|key|secret|password|credential|signature/i;

export const MASK = '***';

/** Tells whether a header's value is a credential that must never be shown or logged. */
export function isSecretHeaderName(name: string): boolean {
  return secretNamePattern.test(name);
}

/** Returns a copy of `headers` with every secret value replaced by a mask. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    masked[name] = isSecretHeaderName(name) ? MASK : value;
  }
  return masked;
}
