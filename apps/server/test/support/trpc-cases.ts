import { MAX_BODY_BYTES } from '@api-scheduler/api';
import fc from 'fast-check';
import superjson from 'superjson';

import { ABSENT, LongString, RawJson, StoredId, objectFromEntries } from './bad-values.js';
import type { StoredFilter, ValueOptions } from './bad-values.js';
import {
  idInput,
  pageInput,
  previewConfigInput,
  previewInput,
  runListInput,
  scheduleCreateInput,
  scheduleListInput,
  schedulePatchInput,
  storedScheduleKind,
  targetCreateInput,
  targetPatchInput,
} from './input-models.js';
import type { InputCandidate } from './input-models.js';
import type { RawRequest } from './raw-http.js';
import { wellFormed, writeJson } from './rest-cases.js';
import type { ResolveId } from './rest-cases.js';

type ProcedureType = 'query' | 'mutation';

/** How the input is put into the request body or the input query parameter. */
export type Envelope =
  | { kind: 'superjson' }
  /** The input without superjson's {"json": …} wrapper. */
  | { kind: 'bare' }
  /** A superjson envelope whose meta claims other types, such as a Date where the JSON has a number. */
  | { kind: 'meta'; meta: unknown }
  /** Text sent in place of the envelope. */
  | { kind: 'text'; text: string }
  /** The top-level fields as a multipart/form-data body, which tRPC hands to the procedure as FormData. */
  | { kind: 'form' };

export interface TrpcCase {
  procedure: string;
  type: ProcedureType;
  /** The input, with markers; ABSENT sends none. */
  input: unknown;
  envelope: Envelope;
  httpMethod: 'GET' | 'POST';
  contentType: string | null;
  /** True sends the call as a batch (?batch=1), after a system.health call for queries. */
  batch: boolean;
  /** Why the API must reject the call; empty when it may be valid. */
  reasons: string[];
}

export interface MaterializedTrpc {
  request: RawRequest;
  /** The input as sent and as decoded, to check where issues point. */
  views: unknown[];
  reasons: string[];
  /** True when the JSON body of a mutation is larger than the API accepts, so the response must be 413. */
  mustBe413: boolean;
  /** Index of the call under test in a batch response. */
  batchIndex: number;
  /** True when the request was sent as a batch. */
  batch: boolean;
}

/** The longest URL a GET may have: past 16 KiB of headers, Node's HTTP parser responds 431 without a body. */
const MAX_URL_LENGTH = 15_000;

/** Resolves markers into the plain value that a client would send. */
export function materializeValue(value: unknown, resolveId: ResolveId): unknown {
  if (value === ABSENT) return undefined;
  if (value instanceof LongString) return value.build();
  if (value instanceof RawJson) return value.parsed();
  if (value instanceof StoredId) return resolveId(value);
  if (Array.isArray(value)) return value.map((item) => materializeValue(item, resolveId));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return objectFromEntries(Object.keys(value).map((key) => [key, materializeValue((value as Record<string, unknown>)[key], resolveId)] as const));
  }
  return value;
}

/** Writes the input in superjson's envelope; superjson refuses objects with reserved keys, so those are written as plain JSON. */
function envelopeText(value: unknown, envelope: Envelope, resolveId: ResolveId): string | undefined {
  if (envelope.kind === 'text') return envelope.text;
  if (value === undefined && envelope.kind !== 'meta') return undefined;
  if (envelope.kind === 'bare') return writeJson(value, resolveId);

  let serialized: { json: unknown; meta?: unknown };
  try {
    serialized = superjson.serialize(value) as { json: unknown; meta?: unknown };
  } catch {
    return `{"json":${writeJson(value, resolveId)}}`;
  }
  if (envelope.kind === 'meta') serialized = { ...serialized, meta: envelope.meta };
  return JSON.stringify(serialized);
}

/**
 * Returns the input twice: the JSON inside the superjson envelope as the
 * client wrote it, and as superjson decodes it. superjson drops "__proto__" keys,
 * and a forged meta adds keys or turns values into Dates, so an issue may
 * point at a part of either.
 */
function sentInputs(text: string | undefined): unknown[] {
  if (text === undefined) return [undefined];
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return [undefined];
  }
  const raw = envelope !== null && typeof envelope === 'object' ? (envelope as { json?: unknown }).json : undefined;
  try {
    return [raw, superjson.deserialize(envelope as Parameters<typeof superjson.deserialize>[0])];
  } catch {
    return [raw];
  }
}

const FORM_BOUNDARY = 'bad-input-boundary';

/** Writes the top-level fields of the input as multipart/form-data parts: strings as they are, other values as JSON. */
function formText(value: unknown, resolveId: ResolveId): string {
  const entries = value !== null && typeof value === 'object' ? Object.entries(value) : [];
  const parts = entries.map(([name, field]) => {
    const text = typeof field === 'string' ? field : writeJson(field, resolveId);
    return `--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name=${JSON.stringify(name)}\r\n\r\n${text}\r\n`;
  });
  return `${parts.join('')}--${FORM_BOUNDARY}--\r\n`;
}

/** Resolves the ids of a case and builds the raw HTTP request. */
export function materializeTrpc(testCase: TrpcCase, resolveId: ResolveId): MaterializedTrpc {
  const value = materializeValue(testCase.input, resolveId);
  const form = testCase.envelope.kind === 'form';
  const text = form ? formText(value, resolveId) : envelopeText(value, testCase.envelope, resolveId);
  // tRPC hands a form to the procedure as FormData, which has none of the input's fields.
  const views = form ? [undefined] : sentInputs(text);

  const headers: Record<string, string> = {};
  if (testCase.contentType !== null) headers['content-type'] = testCase.contentType;

  const batch = testCase.batch && !form;
  const procedures = batch && testCase.type === 'query' ? `system.health,${testCase.procedure}` : testCase.procedure;
  const batchIndex = batch && testCase.type === 'query' ? 1 : 0;
  const batchText = text === undefined ? '{}' : `{"${batchIndex}":${text}}`;
  const payload = batch ? batchText : text;
  const search = batch ? '?batch=1' : '';

  let request: RawRequest;
  let reasons = testCase.reasons;
  let tooLarge = false;
  let mustBe413 = false;
  if (testCase.httpMethod === 'GET') {
    const inputParameter = payload === undefined ? '' : `${search === '' ? '?' : '&'}input=${encodeURIComponent(wellFormed(payload))}`;
    let path = `/trpc/${procedures}${search}${inputParameter}`;
    // A mutation sent by GET is rejected for its method, so its input can go when it would not fit in a URL.
    if (path.length > MAX_URL_LENGTH && testCase.type === 'mutation') path = `/trpc/${procedures}${search}`;
    if (path.length > MAX_URL_LENGTH) throw new Error(`The generated URL of ${testCase.procedure} is ${path.length} characters long; generate shorter query inputs`);
    request = { method: 'GET', path, headers };
  } else {
    const body = Buffer.from(payload ?? '');
    tooLarge = body.length > MAX_BODY_BYTES;
    if (tooLarge) reasons = [...reasons, `the body is larger than ${MAX_BODY_BYTES} bytes`];
    // tRPC checks the method and the content type before it reads the body.
    const json = testCase.contentType !== null && testCase.contentType.startsWith('application/json');
    mustBe413 = tooLarge && json && testCase.type === 'mutation';
    request = { method: 'POST', path: `/trpc/${procedures}${search}`, headers, body };
  }
  return { request, views, reasons, mustBe413, batchIndex, batch };
}

// ---------------------------------------------------------------------------
// Generators

interface ProcedureInput {
  procedure: string;
  type: ProcedureType;
  /** False for procedures without input (z.void()), which reject anything but undefined. */
  objectInput: boolean;
  input: fc.Arbitrary<InputCandidate>;
}

/** Adds `reason` when the input's id names a stored entity, whose state then makes the call a conflict. */
const withStoredReason = (reason: string | null) => (candidate: InputCandidate): InputCandidate => {
  const id = (candidate.value as Record<string, unknown> | null)?.id;
  return reason !== null && id instanceof StoredId ? { ...candidate, reasons: [...candidate.reasons, reason] } : candidate;
};

function statusAction(action: string, options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return fc
    .constantFrom<('ACTIVE' | 'PAUSED' | 'COMPLETED')[]>('ACTIVE', 'PAUSED', 'COMPLETED')
    .chain((status) => idInput('schedule', { scheduleStatus: status }, options).map(withStoredReason(status === 'COMPLETED' ? `${action} a COMPLETED schedule is a conflict` : null)));
}

const voidInput: fc.Arbitrary<InputCandidate> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<InputCandidate>({ value: ABSENT, reasons: [] }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown[]>({}, null, 0, '', [], { a: 1 }).map((value) => ({ value, reasons: ['the procedure takes no input'] })) },
);

function procedureInputs(options: ValueOptions): ProcedureInput[] {
  // Query inputs travel in the URL, so their long strings stay short of the URL limit.
  const query: ValueOptions = { ...options, longMax: 300 };
  const storedTarget = fc.constantFrom<StoredFilter>({}, { targetMethod: 'GET' }, { targetMethod: 'POST' });

  return [
    { procedure: 'targets.list', type: 'query', objectInput: true, input: pageInput(query) },
    { procedure: 'targets.get', type: 'query', objectInput: true, input: idInput('target', {}, query) },
    { procedure: 'targets.create', type: 'mutation', objectInput: true, input: targetCreateInput(options) },
    { procedure: 'targets.update', type: 'mutation', objectInput: true, input: storedTarget.chain((filter) => targetPatchInput(options, filter, true)) },
    {
      procedure: 'targets.delete',
      type: 'mutation',
      objectInput: true,
      input: fc.boolean().chain((inUse) => idInput('target', { targetInUse: inUse }, options).map(withStoredReason(inUse ? 'deleting a target that a schedule uses is a conflict' : null))),
    },
    { procedure: 'schedules.list', type: 'query', objectInput: true, input: scheduleListInput(query) },
    { procedure: 'schedules.get', type: 'query', objectInput: true, input: idInput('schedule', {}, query) },
    { procedure: 'schedules.create', type: 'mutation', objectInput: true, input: scheduleCreateInput(options) },
    { procedure: 'schedules.update', type: 'mutation', objectInput: true, input: storedScheduleKind.chain(({ type, status }) => schedulePatchInput(options, type, status, true)) },
    { procedure: 'schedules.delete', type: 'mutation', objectInput: true, input: idInput('schedule', {}, options) },
    { procedure: 'schedules.pause', type: 'mutation', objectInput: true, input: statusAction('pausing', options) },
    { procedure: 'schedules.resume', type: 'mutation', objectInput: true, input: statusAction('resuming', options) },
    { procedure: 'schedules.trigger', type: 'mutation', objectInput: true, input: idInput('schedule', {}, options) },
    { procedure: 'schedules.preview', type: 'query', objectInput: true, input: previewInput(query) },
    { procedure: 'schedules.previewConfig', type: 'query', objectInput: true, input: previewConfigInput(query) },
    { procedure: 'runs.list', type: 'query', objectInput: true, input: runListInput(query) },
    { procedure: 'runs.get', type: 'query', objectInput: true, input: idInput('run', {}, query) },
    { procedure: 'metrics.summary', type: 'query', objectInput: false, input: voidInput },
    { procedure: 'system.health', type: 'query', objectInput: false, input: voidInput },
  ];
}

/**
 * Whole inputs of the wrong type for a procedure that takes an object. zod
 * 4.6 reads a Map or a Date as an object without keys, so a procedure whose
 * fields are all optional accepts them: they may be valid.
 */
const wrongInput = fc.oneof(
  fc.constantFrom<unknown[]>(ABSENT, null, 'text', 5, true, [], [{}]).map((value) => ({ value, reasons: ['the input is not an object'] })),
  fc.constantFrom<unknown[]>(new Date(0), new Map([['id', 'x']])).map((value) => ({ value, reasons: [] as string[] })),
);

const metaTags = fc.constantFrom<unknown[]>(['Date'], ['bigint'], ['undefined'], ['set'], ['map'], ['regexp'], ['number'], ['symbol', 'x'], ['class', 'Target'], ['custom', 'x'], 'Date', 42, null);

/** Picks how the input is put into the request. Only a `mutation` may get a multipart/form-data body, because tRPC reads one only on POST. */
function envelope(input: unknown, objectInput: boolean, mutation: boolean): fc.Arbitrary<{ envelope: Envelope; reason: string | null }> {
  const keys = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.keys(input) : [];
  const metaPath = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.constantFrom('', 'a.b.c', '__proto__', 'constructor.prototype')) : fc.constantFrom('', 'x', '__proto__');
  // A bare input without {"json": …} decodes to undefined, which every object input rejects.
  const bareReason = objectInput && !keys.includes('json') ? 'the input is not wrapped in {"json": …}' : null;

  return fc.oneof(
    { weight: 16, arbitrary: fc.constant({ envelope: { kind: 'superjson' } as Envelope, reason: null }) },
    { weight: 1, arbitrary: fc.constant({ envelope: { kind: 'bare' } as Envelope, reason: bareReason }) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.dictionary(metaPath, metaTags, { minKeys: 1, maxKeys: 2 }).map((values) => ({ values })),
          fc.constantFrom<unknown[]>(5, 'meta', [], { values: 'x' }, { values: [['map']] }, { referentialEqualities: { a: ['b'] } }, { values: { '': 'Date' } }),
        )
        .map((meta) => ({ envelope: { kind: 'meta', meta } as Envelope, reason: null })),
    },
    { weight: objectInput && mutation ? 1 : 0, arbitrary: fc.constant({ envelope: { kind: 'form' } as Envelope, reason: 'the input is sent as multipart/form-data' }) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('{bad json', '{"json": ', '{"json": {"a": NaN}}', "{'json': {}}", '{"json": {}} x', '\ufeff{"json": {}}', '{"json": 1}}')
        .map((text) => ({ envelope: { kind: 'text', text } as Envelope, reason: 'the body is no JSON' })),
    },
  );
}

const mutationContentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ contentType: 'application/json' as string | null, reason: null as string | null }) },
  { weight: 1, arbitrary: fc.constant({ contentType: 'application/json; charset=utf-8' as string | null, reason: null as string | null }) },
  { weight: 1, arbitrary: fc.constant({ contentType: null as string | null, reason: 'the POST has no Content-Type' as string | null }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream')
      .map((contentType) => ({ contentType: contentType as string | null, reason: `the Content-Type ${contentType} carries no JSON input` })),
  },
);

/** Calls of every tRPC procedure over raw HTTP, with broken envelopes, methods, content types and batches. */
export function rawTrpcCases(options: ValueOptions): fc.Arbitrary<TrpcCase> {
  const known = procedureInputs(options).map((spec) =>
    fc
      .oneof({ weight: 9, arbitrary: spec.input }, { weight: spec.objectInput ? 1 : 0, arbitrary: wrongInput })
      .chain((candidate) =>
        fc
          .record({
            envelope: envelope(candidate.value, spec.objectInput, spec.type === 'mutation'),
            wrongMethod: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
            contentType: spec.type === 'mutation' ? mutationContentTypes : fc.constant({ contentType: null, reason: null }),
            batch: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          })
          .map(({ envelope: wrapped, wrongMethod, contentType, batch }): TrpcCase => {
            // Only the superjson envelope carries the input as generated: a bare input decodes to
            // undefined, a forged meta may turn the input into another, and text replaces it.
            const reasons = wrapped.envelope.kind === 'superjson' ? [...candidate.reasons] : [];
            if (wrapped.reason !== null) reasons.push(wrapped.reason);
            const form = wrapped.envelope.kind === 'form';
            if (contentType.reason !== null && !form) reasons.push(contentType.reason);
            if (wrongMethod) reasons.push(`a ${spec.type} is sent with the wrong HTTP method`);
            const httpMethod = (spec.type === 'query') !== wrongMethod ? 'GET' : 'POST';
            let sentContentType: string | null = null;
            if (httpMethod === 'POST') sentContentType = contentType.contentType ?? (wrongMethod ? 'application/json' : null);
            if (httpMethod === 'POST' && form) sentContentType = `multipart/form-data; boundary=${FORM_BOUNDARY}`;
            return {
              procedure: spec.procedure,
              type: spec.type,
              input: candidate.value,
              envelope: wrapped.envelope,
              httpMethod,
              contentType: sentContentType,
              batch,
              reasons,
            };
          }),
      ),
  );

  const unknownProcedure = fc
    .record({
      procedure: fc.constantFrom('targets.nope', 'targets', 'nope', '__proto__', 'targets.__proto__', 'constructor', 'targets.constructor', 'toString', 'targets.list.x', 'targets.list,__proto__', '', 'schedules.trigger%00'),
      httpMethod: fc.constantFrom<('GET' | 'POST')[]>('GET', 'POST'),
    })
    .map(
      ({ procedure, httpMethod }): TrpcCase => ({
        procedure,
        type: 'query',
        input: {},
        envelope: { kind: 'superjson' },
        httpMethod,
        contentType: httpMethod === 'POST' ? 'application/json' : null,
        batch: false,
        reasons: ['the procedure does not exist'],
      }),
    );

  return fc.oneof({ weight: 19, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: unknownProcedure });
}

/** Typed calls of every tRPC procedure, to send with @trpc/client, whose superjson refuses reserved keys. */
export function clientTrpcCases(options: ValueOptions): fc.Arbitrary<{ procedure: string; type: ProcedureType; input: unknown; reasons: string[] }> {
  return fc.oneof(
    ...procedureInputs({ ...options, flavor: 'client' }).map((spec) =>
      spec.input.map((candidate) => ({ procedure: spec.procedure, type: spec.type, input: candidate.value, reasons: candidate.reasons })),
    ),
  );
}
