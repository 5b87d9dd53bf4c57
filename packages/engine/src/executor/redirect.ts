import { isSecretHeaderName } from '@api-scheduler/core';
import type { HttpMethod } from '@api-scheduler/core';

/** One hop of an attempt: what is sent to one URL. */
export interface HopRequest {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Tells whether a header stays behind when a redirect leaves the origin.
 * These are the headers that the API masks as secrets (Authorization,
 * Cookie, X-Api-Key, *token*, *secret*…), so another server never receives
 * a credential meant for the first. Host stays behind too, because it names
 * the old server.
 */
function isOriginBoundHeader(lowerName: string): boolean {
  return lowerName === 'host' || isSecretHeaderName(lowerName);
}

// Headers that describe a body, dropped with the body when a redirect turns the request into a GET.
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/** Tells whether the status is one that this executor follows when a Location is present. */
export function isRedirectStatus(statusCode: number): boolean {
  return REDIRECT_STATUSES.has(statusCode);
}

/**
 * Resolves the Location of a redirect response: the URL to follow, a
 * sentence saying why it may not be followed (a scheme other than http and
 * https, or credentials in the URL), or null when the response is not a
 * redirect to follow (not a redirect status, no Location, an invalid one).
 */
function redirectTarget(current: HopRequest, statusCode: number, location: string | string[] | undefined): URL | string | null {
  if (!isRedirectStatus(statusCode)) return null;
  const rawLocation = Array.isArray(location) ? location[0] : location;
  if (rawLocation === undefined || rawLocation.trim() === '') return null;

  let url: URL;
  try {
    url = new URL(rawLocation.trim(), current.url);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Redirect ${statusCode} to a ${url.protocol.slice(0, -1)}: URL not followed: only http and https are allowed`;
  }
  // Targets may not hold credentials in the URL, so a redirect may not add them either.
  if (url.username !== '' || url.password !== '') return `Redirect ${statusCode} to a URL with credentials not followed`;
  return url;
}

/**
 * Returns why a redirect response's Location cannot be followed (a scheme
 * other than http or https, or credentials in the URL), or null when it can
 * be followed or the response is not such a redirect.
 */
export function refusedRedirectReason(current: HopRequest, statusCode: number, location: string | string[] | undefined): string | null {
  const target = redirectTarget(current, statusCode, location);
  return typeof target === 'string' ? target : null;
}

/**
 * Plans the hop that a redirect response leads to, following the Fetch
 * standard's rules: 303 turns any method but HEAD into a GET, 301 and 302 turn
 * a POST into a GET, and 307 and 308 keep method and body. Returns null when
 * the response is not followed: not a redirect status, no Location, an
 * invalid Location, a scheme other than http and https, or credentials in it.
 */
export function planRedirect(
  current: HopRequest,
  statusCode: number,
  location: string | string[] | undefined,
): HopRequest | null {
  const url = redirectTarget(current, statusCode, location);
  if (url === null || typeof url === 'string') return null;

  const becomesGet =
    (statusCode === 303 && current.method !== 'GET' && current.method !== 'HEAD') ||
    ((statusCode === 301 || statusCode === 302) && current.method === 'POST');
  const leavesOrigin = url.origin !== current.url.origin;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(current.headers)) {
    const lowerName = name.toLowerCase();
    if (leavesOrigin && isOriginBoundHeader(lowerName)) {
      continue;
    }
    if (becomesGet && BODY_HEADERS.has(lowerName)) {
      continue;
    }
    headers[name] = value;
  }

  return {
    url,
    method: becomesGet ? 'GET' : current.method,
    headers,
    body: becomesGet ? null : current.body,
  };
}
