// One list of the methods that send a body, shared with the API's check that
// a GET, HEAD or OPTIONS target has no body_template.
export { methodSendsBody } from '@api-scheduler/core';

// Connection-level headers that undici 7 manages itself. It rejects a request
// that sets transfer-encoding, keep-alive, upgrade or expect, and it fails one
// whose content-length does not match the body, as a stale copied value would.
const CONNECTION_MANAGED_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/** Returns the value of a header, looked up case-insensitively. */
export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lowerName = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lowerName) {
      return value;
    }
  }
  return undefined;
}

/**
 * Builds the headers of the first hop: the target's headers without the ones
 * undici manages, plus User-Agent and, for a body, Content-Type when the
 * target sets none. The default Content-Type is application/json when the
 * body parses as JSON, else `text/plain; charset=utf-8`.
 */
export function buildRequestHeaders(
  headers: Record<string, string>,
  body: string | null,
  userAgent: string,
): Record<string, string> {
  const built: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CONNECTION_MANAGED_HEADERS.has(name.toLowerCase())) {
      built[name] = value;
    }
  }

  if (findHeader(built, 'user-agent') === undefined) {
    built['user-agent'] = userAgent;
  }
  if (body !== null && findHeader(built, 'content-type') === undefined) {
    built['content-type'] = isJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  }

  return built;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
