import { z } from 'zod';

// superjson 2.2.7, the transformer of the tRPC API, throws on an object key
// that is exactly one of these (a prototype pollution guard), so one stored
// key would fail every tRPC response that contains the object. It compares
// case-sensitively, so "Constructor" is safe.
const RESERVED_OBJECT_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Tells whether `key` is __proto__, constructor or prototype, keys that the API cannot return in an object. */
export function isReservedObjectKey(key: string): boolean {
  return RESERVED_OBJECT_KEYS.has(key);
}

/** Returns a copy of `record` without the keys that isReservedObjectKey matches. */
export function withoutReservedKeys<T>(record: Record<string, T>): Record<string, T> {
  const copy: Record<string, T> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!isReservedObjectKey(key)) copy[key] = value;
  }
  return copy;
}

/** The issue that rejectProtoKey reports for the key: an unknown key of an object, or an invalid record key with this message. */
export type ProtoKeyReport = { code: 'unrecognized_keys' } | { code: 'invalid_key'; message: string };

/**
 * Wraps a record schema so that an own "__proto__" key in the input is an
 * issue. zod 4.6's record schema skips such a key without an issue, because
 * assigning it would replace the prototype of its result. JSON.parse creates
 * it as an ordinary key, so it would otherwise be dropped silently.
 */
export function rejectProtoKey<Input extends Record<string, unknown>, T extends z.ZodType>(schema: T, report: ProtoKeyReport) {
  return z.preprocess<unknown, T, Input>((value, ctx) => {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, '__proto__')) return value;

    if (report.code === 'unrecognized_keys') {
      ctx.addIssue({ code: 'unrecognized_keys', keys: ['__proto__'], input: value, message: 'Unrecognized key: "__proto__"' });
    } else {
      ctx.addIssue({ code: 'invalid_key', origin: 'record', issues: [], path: ['__proto__'], input: value, message: report.message });
    }
    return value;
  }, schema);
}
