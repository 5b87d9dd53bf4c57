import { MAX_BODY_BYTES } from '@api-scheduler/api';
import { RUN_STATUSES, SCHEDULE_STATUSES, encodePageCursor } from '@api-scheduler/core';
import fc from 'fast-check';

import { LongString, RawJson, StoredId, coercedNumberIsValid, injectionText, oddText, timeExpression } from './bad-values.js';
import type { StoredFilter, StoredKind, ValueOptions } from './bad-values.js';
import type { RestView } from './error-checks.js';
import { idCandidate, scheduleCreateInput, schedulePatchInput, storedScheduleKind, targetCreateInput, targetPatchInput } from './input-models.js';
import type { InputCandidate } from './input-models.js';
import type { RawRequest } from './raw-http.js';

/** A path segment sent exactly as written, such as ".." or malformed percent-encoding. */
export class RawSegment {
  constructor(readonly text: string) {}

  [fc.toStringMethod](): string {
    return `RawSegment(${this.text})`;
  }
}

/** A path parameter of unknown content: encoded with encodeURIComponent when sent. */
export class PathText {
  constructor(readonly text: string | LongString) {}

  [fc.toStringMethod](): string {
    return `PathText(${fc.stringify(this.text)})`;
  }
}

type PathSegment = string | StoredId | RawSegment | PathText;

/** How the JSON text of a body is spoiled before it is sent. */
export type BodyTransform =
  | { kind: 'none' }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'append'; text: string }
  | { kind: 'prepend'; text: string }
  | { kind: 'replace'; text: string }
  | { kind: 'bytes'; hex: string }
  | { kind: 'utf16' }
  | { kind: 'duplicate-name' }
  | { kind: 'deep'; depth: number }
  | { kind: 'pad'; total: number };

export interface RestCase {
  /** The documented route that the case was made from, for reading a counterexample. */
  route: string;
  method: string;
  segments: PathSegment[];
  trailingSlash: boolean;
  /** The query string without "?", already encoded. */
  query: string;
  contentType: string | null;
  body: { value: unknown; transform: BodyTransform } | null;
  /** Why the API must reject the request; empty when it may be valid. */
  reasons: string[];
}

/** A RestCase with its ids resolved: the bytes to send and what the server will read from them. */
export interface MaterializedRest {
  request: RawRequest;
  view: RestView;
  reasons: string[];
  /** True when the body is larger than the API accepts: the response must be 413, or 400 for a ".." path, which the server rejects before it reads the body. */
  tooLarge: boolean;
}

export type ResolveId = (id: StoredId) => string;

// ---------------------------------------------------------------------------
// Materializing

/** Writes a generated value as JSON text, keeping "__proto__" keys and writing RawJson verbatim. */
export function writeJson(value: unknown, resolveId: ResolveId): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof LongString) return JSON.stringify(value.build());
  if (value instanceof StoredId) return JSON.stringify(resolveId(value));
  if (value instanceof Date) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => writeJson(item, resolveId)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .map((key) => `${JSON.stringify(key)}:${writeJson(record[key], resolveId)}`)
      .join(',')}}`;
  }
  // A BigInt, which only superjson carries, is written as its digits.
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** Replaces lone surrogates with U+FFFD, as a UTF-8 encoder does, so the text can be percent-encoded. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function applyTransform(json: string, transform: BodyTransform): Buffer {
  switch (transform.kind) {
    case 'none':
      return Buffer.from(json);
    case 'truncate':
      return Buffer.from(json.slice(0, Math.min(json.length - 1, Math.floor(json.length * transform.fraction))));
    case 'append':
      return Buffer.from(json + transform.text);
    case 'prepend':
      return Buffer.from(transform.text + json);
    case 'replace':
      return Buffer.from(transform.text);
    case 'bytes': {
      const middle = Math.floor(json.length / 2);
      return Buffer.concat([Buffer.from(json.slice(0, middle)), Buffer.from(transform.hex, 'hex'), Buffer.from(json.slice(middle))]);
    }
    case 'utf16':
      return Buffer.from(json, 'utf16le');
    case 'duplicate-name':
      return Buffer.from(`${json.slice(0, -1)}${json === '{}' ? '' : ','}"name":42}`);
    case 'deep':
      return Buffer.from(`${json.slice(0, -1)}${json === '{}' ? '' : ','}"name":${'['.repeat(transform.depth)}${']'.repeat(transform.depth)}}`);
    case 'pad': {
      const prefix = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"zz_padding":"`;
      const padding = Math.max(0, transform.total - Buffer.byteLength(prefix) - 2);
      return Buffer.from(`${prefix}${'p'.repeat(padding)}"}`);
    }
  }
}

function pathSegmentText(segment: PathSegment, resolveId: ResolveId): string {
  if (segment instanceof RawSegment) return segment.text;
  if (segment instanceof StoredId) return encodeURIComponent(resolveId(segment));
  if (segment instanceof PathText) return encodeURIComponent(wellFormed(segment.text instanceof LongString ? segment.text.build() : segment.text));
  return segment;
}

/** Resolves the ids of a case and builds the request to send. */
export function materializeRest(testCase: RestCase, resolveId: ResolveId): MaterializedRest {
  const path = `/${testCase.segments.map((segment) => pathSegmentText(segment, resolveId)).join('/')}${testCase.trailingSlash ? '/' : ''}`;
  const headers: Record<string, string> = {};
  if (testCase.contentType !== null) headers['content-type'] = testCase.contentType;

  let body: Buffer | undefined;
  let parsed: unknown;
  if (testCase.body !== null) {
    body = applyTransform(writeJson(testCase.body.value, resolveId), testCase.body.transform);
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      parsed = undefined;
    }
  }

  const tooLarge = body !== undefined && body.length > MAX_BODY_BYTES;
  const reasons = tooLarge ? [...testCase.reasons, `the body is larger than ${MAX_BODY_BYTES} bytes`] : testCase.reasons;
  const query = new URLSearchParams(testCase.query);
  const pathParameters = testCase.segments.some((segment) => typeof segment !== 'string') ? new Set(['id']) : new Set<string>();

  return {
    request: { method: testCase.method, path: testCase.query === '' ? path : `${path}?${testCase.query}`, headers, body },
    view: { body: parsed, query: new Set(query.keys()), path: pathParameters },
    reasons,
    tooLarge,
  };
}

// ---------------------------------------------------------------------------
// Query strings

type QueryClassifier = (value: string) => string | null;

const limitRule = { min: 1, max: 1000, integer: true };

const classifiers: Record<string, QueryClassifier> = {
  limit: (value) => (coercedNumberIsValid(value, limitRule) ? null : 'limit is not a whole number from 1 to 1000'),
  count: (value) => (coercedNumberIsValid(value, limitRule) ? null : 'count is not a whole number from 1 to 1000'),
  cursor: (value) => (/^[A-Za-z0-9_-]{48}$/.test(value) ? null : 'cursor was not made by a list'),
  target_id: (value) => (value.length === 0 || value.length > 200 ? 'target_id is empty or too long' : null),
  schedule_id: (value) => (value.length === 0 || value.length > 200 ? 'schedule_id is empty or too long' : null),
  since: (value) => (/^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? null : 'since is not ISO 8601'),
  until: (value) => (/^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? null : 'until is not ISO 8601'),
};

const validQueryValues: Record<string, fc.Arbitrary<string>> = {
  limit: fc.oneof(fc.integer({ min: 1, max: 1000 }).map(String), fc.constantFrom('1', '1000', ' 5 ', '1e2', '0x10', '+7')),
  count: fc.oneof(fc.integer({ min: 1, max: 1000 }).map(String), fc.constantFrom('1', '1000', '10.0')),
  cursor: fc.uuid().map(encodePageCursor),
  since: fc.integer({ min: -100_000, max: 100_000 }).map((offset) => timeExpression(offset, 1)),
  until: fc.integer({ min: -100_000, max: 100_000 }).map((offset) => timeExpression(offset, 1)),
};

const invalidQueryValues: Record<string, fc.Arbitrary<string>> = {
  limit: fc.constantFrom('0', '-1', '1001', '1.5', 'abc', '', 'NaN', 'Infinity', '1e999', '10000000000000000000000', '١٢'),
  count: fc.constantFrom('0', '-3', '1001', '1.5', 'abc', '', 'NaN', '-Infinity', '1e20'),
  cursor: fc.oneof(fc.constantFrom('', 'bogus', '==', 'c'.repeat(201)), oddText),
  since: fc.constantFrom('', 'now', 'yesterday', '2026-02-30T00:00:00Z', '2026-13-01', '1714560000000', '2030-13-45', "' OR 1=1 --"),
  until: fc.constantFrom('', 'now', 'tomorrow', '2027-02-29T00:00:00Z', '2026-05-01T25:00:00Z', '<script>'),
};

function queryValue(name: string, statuses: readonly string[]): fc.Arbitrary<string> {
  if (name === 'status') return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...statuses) }, fc.constantFrom('', 'active', 'DONE', ...statuses.map((status) => `${status} `)), oddText);
  if (name === 'target_id') return fc.oneof({ weight: 3, arbitrary: fc.uuid() }, injectionText, fc.constant(''), fc.integer({ min: 201, max: 400 }).map((length) => 't'.repeat(length)), oddText);
  if (name === 'schedule_id') return fc.oneof({ weight: 3, arbitrary: fc.uuid() }, injectionText, fc.constant(''), oddText);
  return fc.oneof({ weight: 3, arbitrary: validQueryValues[name]! }, { weight: 1, arbitrary: invalidQueryValues[name]! }, { weight: 1, arbitrary: oddText });
}

/**
 * Generates a query string with the given parameters: each absent, once, or repeated
 * (the last value counts), plus unknown parameters and raw garbage. The
 * reasons come from reading the query string back with URLSearchParams, as
 * the server does.
 */
function queryString(names: readonly string[], statuses: readonly string[] = []): fc.Arbitrary<{ query: string; reasons: string[] }> {
  const parameter = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: queryValue(name, statuses).map((value) => [value]) },
      { weight: 1, arbitrary: fc.array(queryValue(name, statuses), { minLength: 2, maxLength: 3 }) },
    );
  return fc
    .record({
      values: fc.tuple(...names.map(parameter)),
      unknown: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('foo=bar', 'limit[]=5', '__proto__=1', 'a=%E0%A4%A', '%zz=1', '&&=&', 'id=1') }),
      raw: names.length === 0 ? fc.constant('') : fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...names).chain((name) => fc.constantFrom(`${name}=%E0%A4%A`, `${name}=%`, `${name}`, `${name}=%00`, `${name}=%2e%2e%2f`)) }),
    })
    .map(({ values, unknown, raw }) => {
      const parts: string[] = [];
      names.forEach((name, index) => {
        for (const value of values[index]!) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(wellFormed(value))}`);
      });
      if (unknown !== '') parts.push(unknown);
      if (raw !== '') parts.push(raw);
      const query = parts.join('&');

      const read = new URLSearchParams(query);
      const reasons: string[] = [];
      for (const name of names) {
        const all = read.getAll(name);
        const last = all[all.length - 1];
        if (last === undefined) continue;
        const classify = name === 'status' ? (value: string) => (statuses.includes(value) ? null : `status is not one of ${statuses.join(', ')}`) : classifiers[name];
        const reason = classify?.(last) ?? null;
        if (reason !== null) reasons.push(reason);
      }
      const since = read.getAll('since').at(-1);
      const until = read.getAll('until').at(-1);
      if (since !== undefined && until !== undefined && /Z$/.test(since) && /Z$/.test(until) && Date.parse(until) < Date.parse(since)) reasons.push('until is before since');
      return { query, reasons };
    });
}

// ---------------------------------------------------------------------------
// Paths

/** Raw path segments that can never name a stored entity. Each tuple is [segment, why it is rejected]. */
const rejectedRawSegments: [string, string][] = [
  ['..', 'a ".." segment'],
  ['%2e%2e', 'an encoded ".." segment'],
  ['.%2E', 'an encoded ".." segment'],
  ['%E0%A4%A', 'malformed percent-encoding'],
  ['%ED%A0%80', 'an encoded lone surrogate'],
  ['%C0%AF', 'an overlong UTF-8 encoding'],
  ['%00', 'a NUL id'],
  ['%2F', 'an encoded slash'],
  ['..%2F..%2Fetc%2Fpasswd', 'path traversal'],
  ['%5C..%5C', 'path traversal'],
  ['%20', 'a blank id'],
  ['%25', 'a "%" id'],
  [';', 'a ";" id'],
  ['%3Cscript%3E', 'an HTML id'],
];

/** A path id: a stored entity, or one that is unknown or malformed and so must be rejected. */
function pathId(kind: StoredKind, filter: StoredFilter, options: ValueOptions): fc.Arbitrary<{ segment: PathSegment; reason: string | null }> {
  const fromInput = idCandidate(kind, filter, options)
    .filter((candidate) => !(typeof candidate.value === 'string' && ['.', '..'].includes(wellFormed(candidate.value))))
    .map((candidate) => ({
      segment: candidate.value instanceof StoredId ? candidate.value : new PathText(candidate.value as string | LongString),
      reason: candidate.invalid,
    }));
  const raw = fc.constantFrom(...rejectedRawSegments).map(([text, why]) => ({ segment: new RawSegment(text) as PathSegment, reason: `the path has ${why}` }));
  return fc.oneof({ weight: 6, arbitrary: fromInput }, { weight: 1, arbitrary: raw });
}

// ---------------------------------------------------------------------------
// Bodies

const jsonContentTypes = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json', 'application/problem+json; q=1'];
const otherContentTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/jsonx', 'json', 'text/json'];

function contentType(): fc.Arbitrary<{ contentType: string | null; reason: string | null }> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ contentType: 'application/json', reason: null }) },
    { weight: 2, arbitrary: fc.constantFrom(...jsonContentTypes, null).map((type) => ({ contentType: type, reason: null })) },
    { weight: 1, arbitrary: fc.constantFrom(...otherContentTypes).map((type) => ({ contentType: type, reason: `the Content-Type "${type}" is not JSON` })) },
  );
}

function bodyTransform(): fc.Arbitrary<{ transform: BodyTransform; reason: string | null }> {
  const spoilt = (reason: string, arbitrary: fc.Arbitrary<BodyTransform>) => arbitrary.map((transform) => ({ transform, reason }));
  return fc.oneof(
    { weight: 24, arbitrary: fc.constant({ transform: { kind: 'none' } as BodyTransform, reason: null }) },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\n\t', '\r\n').map((text) => ({ transform: { kind: 'append', text } as BodyTransform, reason: null })) },
    // The UTF-8 decoder drops one byte order mark, as RFC 8259 allows a parser to.
    { weight: 1, arbitrary: fc.constant({ transform: { kind: 'prepend', text: '\ufeff' } as BodyTransform, reason: null }) },
    {
      weight: 6,
      arbitrary: fc.oneof(
        spoilt('the JSON is cut short', fc.double({ min: 0, max: 0.999, noNaN: true }).map((fraction) => ({ kind: 'truncate', fraction }))),
        spoilt('the JSON has trailing garbage', fc.constantFrom('x', ',', '}', '{}', ']', '\u0000', 'null').map((text) => ({ kind: 'append', text }))),
        spoilt('the JSON starts with garbage', fc.constantFrom('x', ')]}\'\n', '/*c*/', '\ufeff\ufeff').map((text) => ({ kind: 'prepend', text }))),
        spoilt(
          'the body is no JSON object',
          fc
            .constantFrom('', '   ', 'null', '[]', '[{}]', '"text"', '42', '-0', 'true', "{'url': 'x'}", '{url: 1}', '{"a": NaN}', '{"a": 1,}', '{"a": "\u0001"}', '{"a": "\\x41"}', '{"a": 1} // c', '\u0000', '{"a": 01}', '{"a": .5}', '{"a": +1}')
            .map((text) => ({ kind: 'replace', text })),
        ),
        spoilt('the body is not UTF-8', fc.constantFrom('ff', 'fe', 'c328', '80', 'c0af', 'eda080', 'f4908080', 'e282').map((hex) => ({ kind: 'bytes', hex }))),
        spoilt('the body is UTF-16', fc.constant({ kind: 'utf16' })),
        spoilt('a duplicate name key ends with a number', fc.constant({ kind: 'duplicate-name' })),
        spoilt('name is a deeply nested array', fc.integer({ min: 100, max: 100_000 }).map((depth) => ({ kind: 'deep', depth }))),
        spoilt(
          'the body has the unknown key zz_padding',
          fc.oneof(fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1), fc.integer({ min: 1000, max: 1_600_000 })).map((total) => ({ kind: 'pad', total })),
        ),
      ),
    },
  );
}

/** Generates a JSON body for a body route, with its content type and transport breakage. */
function jsonBody(input: fc.Arbitrary<InputCandidate>): fc.Arbitrary<{ body: RestCase['body']; contentType: string | null; reasons: string[] }> {
  return fc.record({ input, type: contentType(), spoil: bodyTransform() }).map(({ input: candidate, type, spoil }) => {
    const reasons = [...candidate.reasons];
    if (type.reason !== null) reasons.push(type.reason);
    if (spoil.reason !== null) reasons.push(spoil.reason);
    return { body: { value: candidate.value, transform: spoil.transform }, contentType: type.contentType, reasons };
  });
}

/** Generates an occasional body for a route that reads none: the server ignores it, unless it is larger than the API accepts. */
function ignoredBody(): fc.Arbitrary<{ body: RestCase['body']; contentType: string | null }> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant({ body: null, contentType: null }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('{bad json', 'null', '').map((text): BodyTransform => ({ kind: 'replace', text })),
          fc.integer({ min: MAX_BODY_BYTES - 10, max: 1_600_000 }).map((total): BodyTransform => ({ kind: 'pad', total })),
        )
        .map((transform) => ({ body: { value: {}, transform }, contentType: 'application/json' })),
    },
  );
}

// ---------------------------------------------------------------------------
// Routes

interface RouteParts {
  route: string;
  method: string;
  segments: PathSegment[];
  trailingSlash?: boolean;
  query?: { query: string; reasons: string[] };
  body?: { body: RestCase['body']; contentType: string | null; reasons?: string[] };
  reasons: string[];
}

function toCase(parts: RouteParts): RestCase {
  return {
    route: parts.route,
    method: parts.method,
    segments: parts.segments,
    trailingSlash: parts.trailingSlash ?? false,
    query: parts.query?.query ?? '',
    contentType: parts.body?.contentType ?? null,
    body: parts.body?.body ?? null,
    reasons: [...parts.reasons, ...(parts.query?.reasons ?? []), ...(parts.body?.reasons ?? [])],
  };
}

/** Generates requests to a route with an id in its path, such as GET /targets/{id}, and no body of its own. */
function idRoute(
  method: string,
  route: string,
  kind: StoredKind,
  build: (id: PathSegment) => PathSegment[],
  filter: fc.Arbitrary<{ filter: StoredFilter; reason: string | null }>,
  options: ValueOptions,
  queryNames: readonly string[] = [],
): fc.Arbitrary<RestCase> {
  return filter.chain(({ filter: storedFilter, reason }) =>
    fc
      .record({ id: pathId(kind, storedFilter, options), query: queryString(queryNames), extra: ignoredBody(), slash: fc.boolean() })
      .map(({ id, query, extra, slash }) => {
        // The stored entity decides the reason only when the path names one.
        let reasons: string[] = [];
        if (id.reason !== null) reasons = [id.reason];
        else if (reason !== null) reasons = [reason];
        return toCase({
          route,
          method,
          segments: build(id.segment),
          trailingSlash: slash,
          query,
          body: extra,
          reasons,
        });
      }),
  );
}

/** No filter: any stored entity of the kind, with no state that makes the request a conflict. */
const anyStored = fc.constant({ filter: {} as StoredFilter, reason: null as string | null });

/** A schedule filter by status, where pausing or resuming a COMPLETED schedule is a conflict. */
const scheduleByStatus = (action: string) =>
  fc.constantFrom<('ACTIVE' | 'PAUSED' | 'COMPLETED')[]>('ACTIVE', 'PAUSED', 'COMPLETED').map((status) => ({
    filter: { scheduleStatus: status } as StoredFilter,
    reason: status === 'COMPLETED' ? `${action} a COMPLETED schedule is a conflict` : null,
  }));

/** Builds the generators of every documented REST route, and of wrong methods and unknown paths. */
export function restCases(options: ValueOptions): { targets: fc.Arbitrary<RestCase>; schedules: fc.Arbitrary<RestCase>; runs: fc.Arbitrary<RestCase>; methods: fc.Arbitrary<RestCase> } {
  const queryOptions: ValueOptions = { ...options, longMax: 1000 };

  const createTarget = jsonBody(targetCreateInput(options)).map((body) => toCase({ route: 'POST /targets/', method: 'POST', segments: ['targets'], trailingSlash: true, body, reasons: [] }));
  const listTargets = fc
    .record({ query: queryString(['limit', 'cursor']), slash: fc.boolean(), extra: ignoredBody() })
    .map(({ query, slash, extra }) => toCase({ route: 'GET /targets/', method: 'GET', segments: ['targets'], trailingSlash: slash, query, body: extra, reasons: [] }));
  const getTarget = idRoute('GET', 'GET /targets/{id}', 'target', (id) => ['targets', id], anyStored, queryOptions);
  const patchTarget = fc
    .constantFrom<StoredFilter>({}, { targetMethod: 'GET' }, { targetMethod: 'POST' })
    .chain((filter) =>
      fc.record({ id: pathId('target', filter, queryOptions), body: jsonBody(targetPatchInput(options, filter, false)), slash: fc.boolean() }).map(({ id, body, slash }) =>
        toCase({ route: 'PATCH /targets/{id}', method: 'PATCH', segments: ['targets', id.segment], trailingSlash: slash, body, reasons: id.reason === null ? [] : [id.reason] }),
      ),
    );
  const deleteTarget = idRoute(
    'DELETE',
    'DELETE /targets/{id}',
    'target',
    (id) => ['targets', id],
    fc.constantFrom(true, false).map((inUse) => ({ filter: { targetInUse: inUse }, reason: inUse ? 'deleting a target that a schedule uses is a conflict' : null })),
    queryOptions,
  );

  const createSchedule = jsonBody(scheduleCreateInput(options)).map((body) =>
    toCase({ route: 'POST /schedules/', method: 'POST', segments: ['schedules'], trailingSlash: true, body, reasons: [] }),
  );
  const listSchedules = fc
    .record({ query: queryString(['limit', 'cursor', 'status', 'target_id'], SCHEDULE_STATUSES), slash: fc.boolean() })
    .map(({ query, slash }) => toCase({ route: 'GET /schedules/', method: 'GET', segments: ['schedules'], trailingSlash: slash, query, reasons: [] }));
  const getSchedule = idRoute('GET', 'GET /schedules/{id}', 'schedule', (id) => ['schedules', id], anyStored, queryOptions);
  const patchSchedule = storedScheduleKind.chain(({ type, status }) =>
      fc
        .record({
          id: pathId('schedule', { scheduleType: type, scheduleStatus: status }, queryOptions),
          body: jsonBody(schedulePatchInput(options, type, status, false)),
          slash: fc.boolean(),
        })
        .map(({ id, body, slash }) =>
          toCase({ route: 'PATCH /schedules/{id}', method: 'PATCH', segments: ['schedules', id.segment], trailingSlash: slash, body, reasons: id.reason === null ? [] : [id.reason] }),
        ),
    );
  const deleteSchedule = idRoute('DELETE', 'DELETE /schedules/{id}', 'schedule', (id) => ['schedules', id], anyStored, queryOptions);
  const pause = idRoute('POST', 'POST /schedules/{id}/pause', 'schedule', (id) => ['schedules', id, 'pause'], scheduleByStatus('pausing'), queryOptions);
  const resume = idRoute('POST', 'POST /schedules/{id}/resume', 'schedule', (id) => ['schedules', id, 'resume'], scheduleByStatus('resuming'), queryOptions);
  const trigger = idRoute('POST', 'POST /schedules/{id}/trigger', 'schedule', (id) => ['schedules', id, 'trigger'], anyStored, queryOptions);
  const next = idRoute('GET', 'GET /schedules/{id}/next', 'schedule', (id) => ['schedules', id, 'next'], anyStored, queryOptions, ['count']);

  const listRuns = fc
    .record({ query: queryString(['schedule_id', 'target_id', 'status', 'since', 'until', 'limit', 'cursor'], RUN_STATUSES), slash: fc.boolean() })
    .map(({ query, slash }) => toCase({ route: 'GET /runs/', method: 'GET', segments: ['runs'], trailingSlash: slash, query, reasons: [] }));
  const getRun = idRoute('GET', 'GET /runs/{id}', 'run', (id) => ['runs', id], anyStored, queryOptions);

  const wrongMethods = fc
    .constantFrom<[string, PathSegment[], string[]]>(
      ['/targets/', ['targets'], ['GET', 'POST']],
      ['/targets/{id}', ['targets', new StoredId('target', 0)], ['GET', 'PATCH', 'DELETE']],
      ['/schedules/', ['schedules'], ['GET', 'POST']],
      ['/schedules/{id}', ['schedules', new StoredId('schedule', 0)], ['GET', 'PATCH', 'DELETE']],
      ['/schedules/{id}/pause', ['schedules', new StoredId('schedule', 1), 'pause'], ['POST']],
      ['/schedules/{id}/resume', ['schedules', new StoredId('schedule', 2), 'resume'], ['POST']],
      ['/schedules/{id}/trigger', ['schedules', new StoredId('schedule', 3), 'trigger'], ['POST']],
      ['/schedules/{id}/next', ['schedules', new StoredId('schedule', 4), 'next'], ['GET']],
      ['/runs/', ['runs'], ['GET']],
      ['/runs/{id}', ['runs', new StoredId('run', 0)], ['GET']],
      ['/metrics', ['metrics'], ['GET']],
    )
    .chain(([route, segments, allowed]) =>
      fc
        .constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
        .filter((method) => !allowed.includes(method))
        .map((method) => toCase({ route: `${method} ${route}`, method, segments, body: { body: { value: {}, transform: { kind: 'none' } }, contentType: 'application/json' }, reasons: [`${route} does not allow ${method}`] })),
    );
  const unknownPaths = fc
    .constantFrom<PathSegment[]>(['Targets'], ['targets', 'x', 'y'], ['', 'targets'], ['schedules', new StoredId('schedule', 0), 'stop'], ['runs', new StoredId('run', 0), 'retry'], ['api', 'targets'], ['targets%2F'], [new RawSegment('%E0%A4%A')])
    .chain((segments) => fc.constantFrom('GET', 'POST').map((method) => toCase({ route: `${method} unknown path`, method, segments, reasons: ['the path is not a route'] })));

  return {
    targets: fc.oneof(createTarget, listTargets, getTarget, patchTarget, deleteTarget),
    schedules: fc.oneof(createSchedule, listSchedules, getSchedule, { weight: 2, arbitrary: patchSchedule }, deleteSchedule, pause, resume, trigger, next),
    runs: fc.oneof(listRuns, getRun),
    methods: fc.oneof(wrongMethods, unknownPaths),
  };
}
