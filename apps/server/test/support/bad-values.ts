import { HTTP_METHODS } from '@api-scheduler/core';
import fc from 'fast-check';

import { FAKE_NOW } from './in-process-api.js';

/**
 * A generated value with the reason the API must reject it, or null when it
 * may be valid. Generators mark a value invalid only when every correct
 * implementation of the documented API rejects it.
 */
export interface Candidate {
  value: unknown;
  invalid: string | null;
}

/** Which encoding carries the value: a REST JSON body, a raw superjson envelope, or the typed tRPC client. */
export type Flavor = 'json' | 'superjson' | 'client';

/** Options that every value generator takes. */
export interface ValueOptions {
  flavor: Flavor;
  /** Upper bound of a LongString's length: query strings and tRPC GET inputs must fit in a URL. */
  longMax: number;
}

/** Marks an absent field: object generators drop the key. */
export const ABSENT: unique symbol = Symbol('absent');

/** A string of `count` copies of `unit`, built only when sent, so fast-check prints the counterexample short. */
export class LongString {
  constructor(
    readonly unit: string,
    readonly count: number,
  ) {}

  build(): string {
    return this.unit.repeat(this.count);
  }

  [fc.toStringMethod](): string {
    return `LongString(${JSON.stringify(this.unit)} × ${this.count})`;
  }
}

/** JSON text written verbatim into a REST body, for numbers that JSON.stringify cannot write, such as 1e999 and -0. */
export class RawJson {
  constructor(readonly text: string) {}

  /** Returns the value that JSON.parse, and so the server, reads from the text. */
  parsed(): unknown {
    return JSON.parse(this.text);
  }

  [fc.toStringMethod](): string {
    return `RawJson(${this.text})`;
  }
}

export type StoredKind = 'target' | 'schedule' | 'run';

/** Narrows the stored entity that a StoredId picks. */
export interface StoredFilter {
  scheduleType?: 'INTERVAL' | 'WINDOW' | 'CRON' | 'ONCE';
  scheduleStatus?: 'ACTIVE' | 'PAUSED' | 'COMPLETED';
  /** True picks a target that a schedule uses (deleting it is a conflict), false one that none uses. */
  targetInUse?: boolean;
  targetMethod?: 'GET' | 'POST';
}

/**
 * The id of a stored target, schedule or run, picked when the request is
 * sent: the requests under test create and delete entities, so a fixed id
 * from generation time could be gone.
 */
export class StoredId {
  constructor(
    readonly kind: StoredKind,
    readonly pick: number,
    readonly filter: StoredFilter = {},
  ) {}

  [fc.toStringMethod](): string {
    return `StoredId(${this.kind} #${this.pick}${Object.keys(this.filter).length > 0 ? ` ${JSON.stringify(this.filter)}` : ''})`;
  }
}

export const maybeValid = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<Candidate> => arbitrary.map((value) => ({ value, invalid: null }));

export const invalidBecause = (reason: string, arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<Candidate> =>
  arbitrary.map((value) => ({ value, invalid: reason }));

// ---------------------------------------------------------------------------
// Text

const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');

const specialCharacter = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200f',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffd',
  '\uffff',
  'é',
  'ß',
  'İ',
  '😀',
  '👨‍👩‍👧',
  'שלום',
  'مرحبا',
  '"',
  "'",
  '\\',
  '/',
  '%',
  '<',
  '&',
);

/** Any text: every code point, lone surrogates, NUL, controls, RTL marks and emoji. */
export const unicodeText = fc.string({
  unit: fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, specialCharacter, loneSurrogate),
  maxLength: 24,
});

/** Strings that break naive SQL, HTML, path and template handling. */
export const injectionText = fc.constantFrom(
  "' OR '1'='1",
  "'; DROP TABLE targets; --",
  '"; DELETE FROM schedules WHERE 1=1; --',
  '1; SELECT * FROM sqlite_master',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '\u0000',
  '\u202eevil',
);

/** Text of unknown validity for any string field. */
export const oddText = fc.oneof(unicodeText, injectionText, fc.string({ maxLength: 30 }));

/** Bytes that one unit takes in a JSON body. */
const jsonBytesPerUnit = (unit: string): number => Buffer.byteLength(JSON.stringify(unit)) - 2;

/**
 * A LongString longer than `limit` characters, so a field limited to `limit`
 * characters or bytes (with or without trimming) must reject it. Up to about
 * 1.5 MiB in a JSON body, and at most options.longMax characters.
 */
export function longerThan(limit: number, options: ValueOptions): fc.Arbitrary<LongString> {
  return fc
    .record({
      unit: fc.constantFrom('a', 'é', '😀', ' ', '\u0000', '\ud800', '<'),
      size: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1_000_000, max: 1_550_000 })),
    })
    .map(({ unit, size }) => {
      const maxCount = Math.max(limit + 1, Math.min(options.longMax, Math.floor(1_550_000 / jsonBytesPerUnit(unit))));
      return new LongString(unit, Math.min(limit + size, maxCount));
    });
}

// ---------------------------------------------------------------------------
// Wrong types

/** The kind of a value as the schemas see it; Map, Set, RegExp, BigInt and Date arrive only through superjson. */
export type ValueKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'date' | 'map' | 'set' | 'regexp' | 'bigint';

/**
 * Kinds that zod 4.6 reads as an object without keys, so a z.strictObject
 * whose fields all have defaults accepts them. z.record rejects them.
 */
export const KEYLESS_OBJECT_KINDS: readonly ValueKind[] = ['date', 'map', 'set', 'regexp'];

function kindOf(value: unknown): ValueKind {
  if (value === null) return 'null';
  if (value instanceof RawJson) return kindOf(value.parsed());
  if (value instanceof LongString) return 'string';
  // superjson writes an invalid Date as null, without a type in its meta, so the server reads null.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'null' : 'date';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (value instanceof RegExp) return 'regexp';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'bigint':
      return 'bigint';
    default:
      return 'object';
  }
}

const jsonWrongTypes: unknown[] = [null, true, false, 0, 7, -1, 1.5, '', 'text', '42', [], ['a'], [1, 2], {}, { a: 1 }, new RawJson('1e999')];
const superjsonWrongTypes: unknown[] = [new Date(0), new Date(Number.NaN), 42n, new Map([['a', 1]]), new Set([1]), /x/g, Number.NaN, Infinity];

/** Values of a kind that the field does not accept, so the API must reject them. */
export function wrongType(field: string, accepts: readonly ValueKind[], options: ValueOptions): fc.Arbitrary<Candidate> {
  const pool = options.flavor === 'json' ? jsonWrongTypes : [...jsonWrongTypes, ...superjsonWrongTypes];
  const wrong = pool.filter((value) => !accepts.includes(kindOf(value)));
  return invalidBecause(`${field} has a wrong type`, fc.constantFrom(...wrong));
}

// ---------------------------------------------------------------------------
// Numbers

export interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
}

export function numberIsValid(value: number, rule: NumberRule): boolean {
  return Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
}

/** Generates a valid number for the rule, biased to its bounds. */
export function validNumber(rule: NumberRule): fc.Arbitrary<number> {
  const inside = rule.integer ? fc.integer({ min: rule.min, max: rule.max }) : fc.double({ min: rule.min, max: rule.max, noNaN: true });
  return fc.oneof(fc.constantFrom(rule.min, rule.max), inside);
}

/** Numbers outside the rule: past each bound, fractional, huge, tiny, non-finite and unsafe integers. */
export function invalidNumber(field: string, rule: NumberRule, options: ValueOptions): fc.Arbitrary<Candidate> {
  const plain = fc
    .oneof(
      fc.constantFrom(rule.min - 1, rule.max + 1, rule.min - 0.5, rule.max + 0.5, -1, -1e308, 1e308, 2 ** 53 + 2, 1e21, Number.MIN_VALUE, -Number.MIN_VALUE),
      rule.integer ? fc.integer({ min: rule.min, max: rule.max - 1 }).map((n) => n + 0.5) : fc.constant(rule.max * 2 + 1),
      fc.double({ noNaN: true }),
      fc.integer(),
    )
    .filter((value) => !numberIsValid(value, rule));

  const raw = fc
    .constantFrom('1e999', '-1e999', '123456789012345678901234567890', '-0.0000000000000000000001', '1E400', '4.9e-325')
    .map((text) => new RawJson(text))
    .filter((value) => !numberIsValid(value.parsed() as number, rule));

  const nonFinite = fc.constantFrom(Number.NaN, Infinity, -Infinity);
  const arbitraries: fc.Arbitrary<unknown>[] = [plain, raw];
  if (options.flavor !== 'json') arbitraries.push(nonFinite);
  return invalidBecause(`${field} is out of range`, fc.oneof(...arbitraries));
}

/** Tells whether `value` passes z.coerce.number with the rule, which calls Number(value) first. */
export function coercedNumberIsValid(value: unknown, rule: NumberRule): boolean {
  let plain = value;
  if (value instanceof LongString) plain = value.build();
  if (value instanceof RawJson) plain = value.parsed();
  try {
    return numberIsValid(Number(plain), rule);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Targets

export function validUrl(): fc.Arbitrary<string> {
  const web = fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }).filter((url) => {
    if (url.length > 2048) return false;
    try {
      const parsed = new URL(url);
      return parsed.port !== '0' && parsed.username === '' && parsed.password === '';
    } catch {
      return false;
    }
  });
  return fc.oneof(
    fc.constantFrom(
      'http://127.0.0.1:9/hook',
      'https://example.com/a?b=c#d',
      'http://[::1]:8080/x',
      'https://例え.jp/パス?q=値',
      'http://localhost:65535/',
      '  https://example.com/trimmed  ',
      'https://example.com/%F0%9F%98%80',
    ),
    web,
  );
}

export function invalidUrl(options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    invalidBecause(
      'url is not an absolute http(s) URL',
      fc.constantFrom(
        '',
        '   ',
        'ftp://example.com/',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'data:text/plain,hi',
        '/relative/path',
        'example.com',
        'http://',
        'http://[::1',
        'http://example.com:99999/',
        'http://user:pass@example.com/',
        'https://token@example.com/',
        'http://127.0.0.1:0/',
        '\u0000',
      ),
    ),
    invalidBecause('url is too long', longerThan(2048, options)),
  );
}

export const validMethod = fc.oneof(fc.constantFrom(...HTTP_METHODS), fc.constantFrom('get', 'Post', 'delete'));

export function invalidMethod(): fc.Arbitrary<Candidate> {
  return invalidBecause(
    'method is not an HTTP method the API supports',
    fc
      .oneof(fc.constantFrom('FETCH', 'CONNECT', 'TRACE', '', ' GET', 'GET ', 'G\u0000ET', 'PROPFIND'), oddText)
      .filter((value) => !(HTTP_METHODS as readonly string[]).includes(value.toUpperCase())),
  );
}

const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

export const validHeaderName = fc
  .oneof(fc.constantFrom('Authorization', 'X-Api-Key', 'Content-Type', 'x-trace', 'Cookie'), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/))
  .filter((name) => headerNamePattern.test(name) && !reservedKeys.has(name));

export const validHeaderValue = fc.oneof(
  fc.constantFrom('', 'Bearer abc', 'text/plain; charset=utf-8', '\tcafé ÿ', '***'),
  fc.stringMatching(/^[\t\x20-\x7e]{0,30}$/),
);

/** Builds an object that keeps "__proto__" as an own key, as JSON.parse does. */
export function objectFromEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

export function validHeaders(): fc.Arbitrary<Record<string, unknown>> {
  return fc.uniqueArray(fc.tuple(validHeaderName, validHeaderValue), { maxLength: 4, selector: ([name]) => name }).map(objectFromEntries);
}

export function invalidHeaders(options: ValueOptions): fc.Arbitrary<Candidate> {
  const reserved = options.flavor === 'client' ? ['bad name', '', 'X:Y', 'é', 'a\u0000'] : ['bad name', '', 'X:Y', 'é', 'a\u0000', '__proto__', 'constructor', 'prototype'];
  const badName = fc.tuple(validHeaders(), fc.constantFrom(...reserved)).map(([headers, name]) => objectFromEntries([...Object.entries(headers), [name, 'x']]));
  const badValue = fc
    .tuple(validHeaders(), validHeaderName, fc.constantFrom('a\r\nX-Injected: 1', 'a\nb', '\u0000', '😀', 'é😀', '\u007f', '\u0100', '\ud800', 7, null, true, ['x'], { a: 'b' }))
    .map(([headers, name, value]) => objectFromEntries([...Object.entries(headers).filter(([key]) => key !== name), [name, value]]));
  const longValue = fc
    .tuple(validHeaderName, longerThan(8192, options))
    .map(([name, value]) => objectFromEntries([[name, value]]));
  const longName = fc.integer({ min: 257, max: 2000 }).map((length) => objectFromEntries([['X'.repeat(length), 'v']]));
  const tooMany = fc.integer({ min: 65, max: 200 }).map((count) => objectFromEntries(Array.from({ length: count }, (_, index) => [`X-H${index}`, 'v'] as const)));
  return fc.oneof(
    invalidBecause('a header name is invalid', badName),
    invalidBecause('a header value cannot be sent', badValue),
    invalidBecause('a header value is too long', longValue),
    invalidBecause('a header name is too long', longName),
    invalidBecause('there are more than 64 headers', tooMany),
  );
}

/** A name that the API accepts: non-empty after trimming, at most 200 characters, no NUL. */
export const validName = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.constantFrom('nightly report', 'שלום 😀', '\u202ertl name', ' padded '))
  .filter((name) => name.trim().length > 0 && name.trim().length <= 200 && !name.includes('\u0000'));

export function invalidName(field: string, options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    invalidBecause(`${field} is empty or contains NUL`, fc.constantFrom('', '   ', '\t\n', 'a\u0000b', '\u0000')),
    invalidBecause(`${field} is too long`, longerThan(200, options)),
  );
}

// ---------------------------------------------------------------------------
// Schedules

const minute = 60_000;

/** Writes a time expression that resolves to FAKE_NOW + offsetMinutes, as "now ± N minutes", "NOW ± N seconds" or ISO 8601. */
export function timeExpression(offsetMinutes: number, form: number): string {
  const instant = new Date(FAKE_NOW + offsetMinutes * minute).toISOString();
  switch (form % 4) {
    case 0:
      return offsetMinutes === 0 ? 'now' : `now ${offsetMinutes < 0 ? '-' : '+'} ${Math.abs(offsetMinutes)} minutes`;
    case 1:
      return instant;
    case 2:
      return instant.replace('Z', '+00:00');
    default:
      return `NOW + ${offsetMinutes * 60} seconds`.replace('+ -', '- ');
  }
}

/** Time strings that are no time at all: every field that takes a time must reject them. */
export function invalidTimeText(field: string, options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    invalidBecause(
      `${field} is not a time`,
      fc.constantFrom(
        '',
        '   ',
        'tomorrow',
        'yesterday',
        'now +',
        'now + 5 fortnights',
        'now + 1234567890 days',
        'now + 999999999 days',
        '2026-13-01T00:00:00Z',
        '2026-02-30T00:00:00Z',
        '2026-05-01T25:00:00Z',
        '12/31/2026',
        '1714560000000',
        'NaN',
        '<script>',
        '2026-05-01T09:00:00Z\u0000',
      ),
    ),
    invalidBecause(`${field} is too long`, longerThan(64, options)),
  );
}

export const validCronExpressions = [
  '*/5 * * * *',
  '0 9 * * MON-FRI',
  '30 2 * * *',
  '0 0 L * *',
  '0 12 ? * 1#2',
  '@daily',
  '@hourly',
  '*/10 * * * * *',
  '0 0 13 * 5',
  '0 0 29 2 *',
  '15,45 8-18/2 * JAN,JUL *',
] as const;

export function invalidCronExpression(options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    invalidBecause(
      'expression is not a cron expression that fires',
      fc.constantFrom(
        '',
        '* * * *',
        '* * * * * * *',
        '60 * * * *',
        '* 24 * * *',
        '* * 32 * *',
        '* * * 13 *',
        '* * * * 8',
        '*/0 * * * *',
        '0 0 30 2 *',
        '0 0 31 4,6,9,11 *',
        'every day',
        'MON * * * *',
        '@reboot',
        '0 0 1#6 * *',
        '1-0 * * * *',
        'L * * * *',
        "'; DROP TABLE schedules; --",
      ),
    ),
    invalidBecause('expression is too long', longerThan(200, options)),
  );
}

export const validTimezones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Etc/GMT+5'] as const;

function intlAcceptsTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name.trim() });
    return name.trim().length > 0;
  } catch {
    return false;
  }
}

export function invalidTimezone(field: string, options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    invalidBecause(
      `${field} is not an IANA time zone`,
      fc
        .oneof(
          fc.constantFrom('', ' ', 'Mars/Olympus', 'Europe/Atlantis', 'UTC+25', 'GMT+99', '+05:00', '../../etc/localtime', 'Europe/Berlin\u0000', 'Europe/ Berlin', '😀'),
          unicodeText,
        )
        .filter((name) => !intlAcceptsTimeZone(name)),
    ),
    invalidBecause(`${field} is too long`, longerThan(64, options)),
  );
}
