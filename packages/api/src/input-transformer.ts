import type { DataTransformer } from '@trpc/server';
import superjson from 'superjson';

interface Visit {
  value: unknown;
  /** Index of the parent visit in the list, or -1 for the root. */
  parent: number;
  key: string | number;
}

function pathTo(visits: Visit[], index: number): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at = index; at > 0; at = visits[at]!.parent) path.unshift(visits[at]!.key);
  return path;
}

/**
 * Returns the path of the first own "__proto__" key in parsed JSON, or null
 * when there is none. It walks without recursion and keeps parent links
 * instead of paths, so a deeply nested input costs neither stack nor
 * quadratic time.
 */
export function findProtoKey(value: unknown): (string | number)[] | null {
  const visits: Visit[] = [{ value, parent: -1, key: '' }];
  for (let index = 0; index < visits.length; index += 1) {
    const node = visits[index]!.value;
    if (node === null || typeof node !== 'object') continue;

    if (!Array.isArray(node) && Object.hasOwn(node, '__proto__')) return [...pathTo(visits, index), '__proto__'];
    const entries = Array.isArray(node) ? node.map((child, key) => [key, child] as const) : Object.entries(node);
    for (const [key, child] of entries) visits.push({ value: child, parent: index, key });
  }
  return null;
}

/**
 * The input of a call whose JSON contains an own "__proto__" key at `path`.
 * The procedure middleware rejects it with 422, for that call only: an
 * error thrown while decoding would fail every call of a batch.
 */
export class ProtoKeyInput {
  constructor(readonly path: (string | number)[]) {}
}

/**
 * superjson with one more check on the way in. superjson 2.2.7 drops an own
 * "__proto__" key while it decodes an input, so tRPC would accept such a key
 * silently where REST rejects it as an unknown key or header name.
 */
export const inputTransformer: DataTransformer = {
  serialize: (value: unknown) => superjson.serialize(value),
  deserialize(payload: unknown) {
    const json = payload !== null && typeof payload === 'object' ? (payload as { json?: unknown }).json : undefined;
    const path = findProtoKey(json);
    if (path !== null) return new ProtoKeyInput(path);
    return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
  },
};
