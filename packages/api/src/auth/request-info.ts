/** The parts of an HTTP request that authentication reads, and the headers it adds to the response. */
export interface RequestInfo {
  headers: Record<string, string | string[] | undefined>;
  /** The client's IP address, which failed attempts are counted against. */
  remoteAddress: string;
  /** True when the client connected to this server over TLS. */
  encrypted: boolean;
  /** Headers for the response, such as Set-Cookie, WWW-Authenticate and Retry-After. */
  responseHeaders: Record<string, string>;
}

export const SESSION_COOKIE = 'api_scheduler_session';

/** Returns the first value of a header, whatever the case of its name. */
export function headerValue(headers: RequestInfo['headers'], name: string): string | undefined {
  const lowerName = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lowerName) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The bearer credential of a request: absent, malformed (not "Bearer TOKEN"), or the token. */
export type BearerCredential = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'token'; token: string };

export function bearerCredentialOf(request: RequestInfo): BearerCredential {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === undefined || authorization.trim() === '') return { kind: 'absent' };

  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  return match ? { kind: 'token', token: match[1]! } : { kind: 'malformed' };
}

/** Returns the session id from the request's session cookie, or null without one. */
export function sessionIdOf(request: RequestInfo): string | null {
  const cookie = headerValue(request.headers, 'cookie');
  if (cookie === undefined) return null;

  for (const pair of cookie.split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1) continue;
    if (pair.slice(0, separator).trim() === SESSION_COOKIE) {
      const value = pair.slice(separator + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/**
 * Tells whether the client reached the service over https: directly, or
 * through a proxy that sets X-Forwarded-Proto: https. Trusting that header
 * is safe here because it only adds the Secure flag to a cookie.
 */
export function cameOverHttps(request: RequestInfo): boolean {
  if (request.encrypted) return true;
  const forwarded = headerValue(request.headers, 'x-forwarded-proto');
  return forwarded?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/**
 * Checks the Origin header of a request against its Host header, the
 * cross-site request forgery check of cookie-authenticated changes. A
 * request without Origin passes, because browsers send Origin with every
 * cross-site POST, PATCH and DELETE.
 */
export function originMatchesHost(request: RequestInfo): boolean {
  const origin = headerValue(request.headers, 'origin');
  if (origin === undefined) return true;

  const host = headerValue(request.headers, 'host');
  if (host === undefined) return false;
  try {
    const originUrl = new URL(origin);
    // Parsed with the origin's scheme, so a default port written out in Host (":443") compares equal.
    return new URL(`${originUrl.protocol}//${host.trim()}`).host === originUrl.host;
  } catch {
    // Origin "null" (sandboxed frames, some redirects) and garbage match no host.
    return false;
  }
}

/** Builds the Set-Cookie value that stores a session id in the browser. */
export function sessionCookie(sessionId: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** Builds the Set-Cookie value that deletes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
