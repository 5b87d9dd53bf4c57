import type { IncomingHttpHeaders } from 'node:http';

import { isReservedObjectKey } from '@api-scheduler/core';

/**
 * Flattens response headers into lower-case names with repeated values
 * joined by ', '. Headers named __proto__, constructor or prototype are left
 * out: the target's server chooses these names, no HTTP standard defines
 * them, and superjson (the API's tRPC transformer) refuses to serialize an
 * object with such a key, so one recorded run would fail every tRPC page
 * that lists it.
 */
export function flattenResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowerName = name.toLowerCase();
    if (value === undefined || isReservedObjectKey(lowerName)) {
      continue;
    }
    flat[lowerName] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
