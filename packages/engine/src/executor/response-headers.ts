import type { IncomingHttpHeaders } from 'node:http';

/** Flattens response headers into lower-case names with repeated values joined by ', '. */
export function flattenResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) {
      continue;
    }
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
