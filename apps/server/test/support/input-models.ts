import { JITTER_MODES, MISFIRE_POLICIES, OVERLAP_POLICIES, RUN_STATUSES, SCHEDULE_STATUSES, SCHEDULE_TYPES, encodePageCursor } from '@api-scheduler/core';
import fc from 'fast-check';

import {
  ABSENT,
  KEYLESS_OBJECT_KINDS,
  LongString,
  StoredId,
  coercedNumberIsValid,
  injectionText,
  invalidBecause,
  invalidCronExpression,
  invalidHeaders,
  invalidMethod,
  invalidName,
  invalidNumber,
  invalidTimeText,
  invalidTimezone,
  invalidUrl,
  longerThan,
  maybeValid,
  objectFromEntries,
  oddText,
  timeExpression,
  validCronExpressions,
  validHeaders,
  validMethod,
  validName,
  validNumber,
  validTimezones,
  validUrl,
  wrongType,
} from './bad-values.js';
import type { Candidate, NumberRule, StoredFilter, StoredKind, ValueKind, ValueOptions } from './bad-values.js';

type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** A generated input object with the reasons the API must reject it; no reason means it may be valid. */
export interface InputCandidate {
  value: unknown;
  reasons: string[];
}

/** How to generate one field of an input object. */
export interface FieldSpec {
  required?: boolean;
  /** Kinds of value the schema accepts; every other kind is a certain rejection. */
  accepts: readonly ValueKind[];
  valid: fc.Arbitrary<unknown>;
  /** Values of an accepted kind that the API must reject. */
  invalid?: fc.Arbitrary<Candidate>;
  /** Values of unknown validity; by default any odd text or JSON value. */
  odd?: fc.Arbitrary<unknown>;
  /** Classifies a value for a field whose schema coerces, such as a query number: returns the reason to reject it, or null. */
  classify?: (value: unknown) => string | null;
}

/** Entries that replace fields of an object together, for checks across fields. */
export interface FieldGroup {
  entries: [string, unknown][];
  reasons: string[];
}

/** Every field name of every input, so a 422 may point at a field the client left out (a required one, or one a default filled in). */
export const KNOWN_FIELDS = new Set([
  'id',
  'name',
  'url',
  'method',
  'headers',
  'body_template',
  'timeout_ms',
  'target_id',
  'schedule_id',
  'schedule_type',
  'schedule_config',
  'timezone',
  'status',
  'retry_policy',
  'overlap_policy',
  'misfire_policy',
  'interval_seconds',
  'start_time',
  'end_time',
  'max_runs',
  'expression',
  'run_at',
  'max_retries',
  'initial_delay_ms',
  'max_delay_ms',
  'multiplier',
  'jitter',
  'retry_non_idempotent_timeouts',
  'count',
  'limit',
  'cursor',
  'since',
  'until',
]);

const oddValue = fc.oneof(oddText, fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.integer(), fc.boolean());

/** Picks the names of the fields to break: none in about 40 % of the cases, so valid requests are generated too. */
function pickNames(names: string[]): fc.Arbitrary<string[]> {
  if (names.length === 0) return fc.constant([]);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.subarray(names, { minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.subarray(names, { minLength: 1, maxLength: Math.min(3, names.length) }) },
  );
}

const coercionProbes: unknown[] = ['0', '-1', '1001', '1.5', 'abc', '', ' ', 'NaN', 'Infinity', '1e999', '0x10', null, true, false, [], [5], [1, 2], {}, 0, -0, 1e21, 1.5];
const superjsonCoercionProbes: unknown[] = [Number.NaN, Infinity, 42n, new Date(0), new Date(Number.NaN), new Map(), /7/];

function brokenField(name: string, spec: FieldSpec, options: ValueOptions): fc.Arbitrary<Candidate> {
  const classify = spec.classify;
  if (classify) {
    const probes = options.flavor === 'json' ? coercionProbes : [...coercionProbes, ...superjsonCoercionProbes];
    return fc.constantFrom(...probes).map((value) => ({ value, invalid: classify(value) }));
  }
  const arbitraries: fc.Arbitrary<Candidate>[] = [wrongType(name, spec.accepts, options)];
  if (spec.invalid) arbitraries.push(spec.invalid);
  if (spec.required) arbitraries.push(fc.constant({ value: ABSENT, invalid: `${name} is missing` }));
  return fc.oneof(...arbitraries);
}

function unknownKey(known: Set<string>, options: ValueOptions): fc.Arbitrary<string> {
  return fc
    .oneof(fc.string({ maxLength: 10 }), injectionText, fc.constantFrom('created_at', 'run_count', 'next_run_at', 'extra', 'ID', 'Name'))
    .filter((key) => !known.has(key) && !(options.flavor === 'client' && ['__proto__', 'constructor', 'prototype'].includes(key)));
}

/**
 * Builds an object input from field specs: most fields valid or absent, a
 * few broken (a certain rejection) or odd (validity unknown), sometimes
 * unknown keys, then the groups, which set several fields at once.
 */
export function objectInput(
  fields: Record<string, FieldSpec>,
  options: ValueOptions,
  groups: fc.Arbitrary<FieldGroup>[] = [],
  groupKeys: string[] = [],
): fc.Arbitrary<InputCandidate> {
  const names = Object.keys(fields);
  const known = new Set([...names, ...groupKeys]);
  const model = {
    valid: fc.record(Object.fromEntries(names.map((name) => [name, fields[name]!.required ? fields[name]!.valid : fc.oneof(fc.constant(ABSENT), fields[name]!.valid)]))),
    broken: fc.record(Object.fromEntries(names.map((name) => [name, brokenField(name, fields[name]!, options)]))),
    odd: fc.record(Object.fromEntries(names.map((name) => [name, fields[name]!.odd ?? oddValue]))),
    brokenNames: pickNames(names),
    oddNames: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray(names, { maxLength: Math.min(2, names.length) }) }),
    extra: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.tuple(unknownKey(known, options), oddValue), { minLength: 1, maxLength: 2, selector: ([key]) => key }) }),
    groups: fc.tuple(...groups),
  };

  return fc.record(model).map((parts) => {
    const values = new Map<string, unknown>();
    const reasons = new Map<string, string>();

    for (const name of names) {
      let value = (parts.valid as Record<string, unknown>)[name];
      const coercion = fields[name]!.classify;
      if (parts.oddNames.includes(name)) value = (parts.odd as Record<string, unknown>)[name];
      if (parts.brokenNames.includes(name)) {
        const candidate = (parts.broken as Record<string, Candidate>)[name]!;
        value = candidate.value;
        if (candidate.invalid !== null) reasons.set(name, candidate.invalid);
      } else if (coercion && value !== ABSENT) {
        const reason = coercion(value);
        if (reason !== null) reasons.set(name, reason);
      }
      values.set(name, value);
    }

    for (const group of parts.groups as FieldGroup[]) {
      for (const [name, value] of group.entries) {
        values.set(name, value);
        reasons.delete(name);
      }
      for (const reason of group.reasons) reasons.set(`group: ${reason}`, reason);
    }

    const entries = [...values].filter(([, value]) => value !== ABSENT);
    for (const [key, value] of parts.extra) {
      entries.push([key, value]);
      reasons.set(key, `unknown key "${key}"`);
    }
    return { value: objectFromEntries(entries), reasons: [...new Set(reasons.values())] };
  });
}

/** Wraps a plain object arbitrary as a group that may be valid. */
const validGroup = (arbitrary: fc.Arbitrary<[string, unknown][]>): fc.Arbitrary<FieldGroup> => arbitrary.map((entries) => ({ entries, reasons: [] }));

const stringField = (spec: Omit<FieldSpec, 'accepts'>): FieldSpec => ({ accepts: ['string'], ...spec });

function enumField(field: string, values: readonly string[]): FieldSpec {
  return stringField({
    valid: fc.constantFrom(...values),
    invalid: invalidBecause(
      `${field} is not one of ${values.join(', ')}`,
      fc.oneof(fc.constantFrom('', 'unknown', ...values.map((value) => value.toLowerCase()), ...values.map((value) => ` ${value}`)), oddText).filter((value) => !values.includes(value)),
    ),
  });
}

function numberField(field: string, rule: NumberRule, options: ValueOptions): FieldSpec {
  return { accepts: ['number'], valid: validNumber(rule), invalid: invalidNumber(field, rule, options) };
}

/** Builds a field of a tRPC input that z.coerce.number reads, so its validity depends on Number(value). */
function coercedNumberField(field: string, rule: NumberRule): FieldSpec {
  return {
    accepts: ['number', 'string', 'boolean', 'null', 'array', 'object', 'date', 'map', 'set', 'regexp', 'bigint'],
    valid: fc.oneof(validNumber(rule), validNumber(rule).map(String)),
    classify: (value) => (coercedNumberIsValid(value, rule) ? null : `${field} is not a number from ${rule.min} to ${rule.max}`),
    odd: fc.oneof(oddValue, fc.constantFrom(true, [5], '0x10', ' 7 ', '1e2', 5n, new Date(0))),
  };
}

// ---------------------------------------------------------------------------
// Ids

/** Generates an id: a stored entity, an unknown id, or a malformed one, which never names a stored entity. */
export function idCandidate(kind: StoredKind, filter: StoredFilter, options: ValueOptions): fc.Arbitrary<Candidate> {
  return fc.oneof(
    { weight: 5, arbitrary: maybeValid(fc.nat().map((pick) => new StoredId(kind, pick, filter))) },
    { weight: 1, arbitrary: invalidBecause(`the ${kind} id is unknown`, fc.uuid()) },
    { weight: 1, arbitrary: invalidBecause(`the ${kind} id is malformed`, fc.oneof(injectionText, fc.constantFrom(' ', '0', 'null'))) },
    { weight: 1, arbitrary: invalidBecause(`the ${kind} id is malformed`, oddText.filter((text) => text.length > 0)) },
    { weight: 1, arbitrary: invalidBecause(`the ${kind} id is too long`, longerThan(200, { ...options, longMax: Math.min(options.longMax, 1000) })) },
  );
}

function idField(kind: StoredKind, filter: StoredFilter, options: ValueOptions): FieldSpec {
  return {
    required: true,
    accepts: ['string'],
    valid: fc.nat().map((pick) => new StoredId(kind, pick, filter)),
    invalid: idCandidate(kind, filter, options).filter((candidate) => candidate.invalid !== null),
  };
}

// ---------------------------------------------------------------------------
// Targets

function targetFields(options: ValueOptions, create: boolean): Record<string, FieldSpec> {
  return {
    name: stringField({ valid: validName, invalid: invalidName('name', options) }),
    url: stringField({ required: create, valid: validUrl(), invalid: invalidUrl(options) }),
    method: stringField({ valid: validMethod, invalid: invalidMethod() }),
    headers: { accepts: ['object'], valid: validHeaders(), invalid: invalidHeaders(options) },
    body_template: {
      accepts: ['string', 'null'],
      valid: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(fc.json(), unicodeBody()) }),
      invalid: fc.oneof(
        invalidBecause('body_template contains NUL', fc.constantFrom('\u0000', '{"a": "\u0000"}')),
        invalidBecause('body_template is larger than 256 KiB', longerThan(256 * 1024, options)),
      ),
    },
    timeout_ms: numberField('timeout_ms', { min: 100, max: 300_000, integer: true }, options),
  };
}

/** Text that libSQL stores unchanged: no NUL and no lone surrogate. */
function unicodeBody(): fc.Arbitrary<string> {
  return fc.string({ unit: 'grapheme', maxLength: 40 });
}

/** A create body that sends a body_template with a method that sends none. */
const bodyWithoutBodyMethod: fc.Arbitrary<FieldGroup> = fc
  .tuple(fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'get'), fc.constantFrom('{}', 'x', ''))
  .map(([method, body]) => ({ entries: [['method', method], ['body_template', body]], reasons: [`a ${method} target has a body_template`] }));

export function targetCreateInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  const group = fc.oneof({ weight: 8, arbitrary: fc.constant<FieldGroup>({ entries: [], reasons: [] }) }, { weight: 1, arbitrary: bodyWithoutBodyMethod });
  return objectInput(targetFields(options, true), options, [group]);
}

/** Generates a patch of the stored target that `filter` picks. With `id`, for tRPC, the id field is part of the input. */
export function targetPatchInput(options: ValueOptions, filter: StoredFilter, id: boolean): fc.Arbitrary<InputCandidate> {
  const fields = targetFields(options, false);
  if (id) fields.id = idField('target', filter, options);
  const group = fc.oneof({ weight: 8, arbitrary: fc.constant<FieldGroup>({ entries: [], reasons: [] }) }, { weight: 1, arbitrary: bodyWithoutBodyMethod });
  return objectInput(fields, options, [group]).map((candidate) => {
    const value = candidate.value as Record<string, unknown>;
    const body = value.body_template;
    // A patch without a method keeps the stored GET, which sends no body.
    if (filter.targetMethod === 'GET' && !Object.hasOwn(value, 'method') && (typeof body === 'string' || body instanceof LongString)) {
      return { ...candidate, reasons: [...candidate.reasons, 'a GET target is given a body_template'] };
    }
    return candidate;
  });
}

// ---------------------------------------------------------------------------
// Schedules

const intervalRule: NumberRule = { min: 1, max: 31_622_400, integer: true };
const maxRunsRule: NumberRule = { min: 1, max: 1_000_000_000, integer: true };

/** Generates a config that the schedule type accepts at FAKE_NOW, whatever the schedule's time zone. A CRON config names no time zone. */
export function validConfig(type: ScheduleType): fc.Arbitrary<Record<string, unknown>> {
  switch (type) {
    case 'INTERVAL':
      return fc
        .record({
          interval: fc.oneof(fc.integer({ min: 1, max: 86_400 }), validNumber(intervalRule)),
          start: fc.option(fc.tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.nat(3)), { nil: null }),
        })
        .map(({ interval, start }) => objectFromEntries([['interval_seconds', interval], ...(start === null ? [] : ([['start_time', timeExpression(start[0], start[1])]] as const))]));
    case 'WINDOW':
      return fc
        .record({
          startOffset: fc.integer({ min: -120, max: 120 }),
          duration: fc.integer({ min: 1, max: 600 }),
          fraction: fc.double({ min: 0, max: 1, noNaN: true }),
          forms: fc.tuple(fc.nat(3), fc.nat(3)),
          maxRuns: fc.oneof(fc.constant(ABSENT), fc.constant(null), fc.integer({ min: 1, max: 20 }), validNumber(maxRunsRule)),
        })
        .map(({ startOffset, duration, fraction, forms, maxRuns }) => {
          // The window must not have ended: its end is at or after now.
          const start = Math.max(startOffset, -duration);
          const interval = Math.max(1, Math.floor(fraction * duration * 60));
          const entries: [string, unknown][] = [
            ['start_time', timeExpression(start, forms[0])],
            ['end_time', timeExpression(start + duration, forms[1])],
            ['interval_seconds', interval],
          ];
          if (maxRuns !== ABSENT) entries.push(['max_runs', maxRuns]);
          return objectFromEntries(entries);
        });
    case 'CRON':
      return fc.constantFrom(...validCronExpressions).map((expression) => objectFromEntries([['expression', expression]]));
    case 'ONCE':
      return fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.nat(3)).map(([offset, form]) => objectFromEntries([['run_at', timeExpression(offset, form)]]));
  }
}

const otherTypes = (type: ScheduleType): ScheduleType[] => SCHEDULE_TYPES.filter((other) => other !== type);

/** Configs that the type must reject whatever the other fields are. */
function brokenConfig(type: ScheduleType, options: ValueOptions): fc.Arbitrary<{ config: unknown; reason: string }> {
  const replace = (field: string, candidates: fc.Arbitrary<Candidate>) =>
    fc.tuple(validConfig(type), candidates).map(([config, candidate]) => ({
      config: objectFromEntries([...Object.entries(config).filter(([key]) => key !== field), ...(candidate.value === ABSENT ? [] : ([[field, candidate.value]] as const))]),
      reason: candidate.invalid ?? `${field} is invalid`,
    }));
  const missing = (field: string) => fc.constant<Candidate>({ value: ABSENT, invalid: `schedule_config.${field} is missing` });
  const timeField = (field: string) => fc.oneof(invalidTimeText(field, options), wrongType(field, ['string'], options));
  const intervalField = fc.oneof(invalidNumber('interval_seconds', intervalRule, options), wrongType('interval_seconds', ['number'], options), missing('interval_seconds'));

  const common = [
    fc.tuple(validConfig(type), fc.constantFrom('bogus', 'timezone_', 'Interval_Seconds', '', ...(options.flavor === 'client' ? [] : ['__proto__', 'constructor'])), oddValue).map(([config, key, value]) => ({
      config: objectFromEntries([...Object.entries(config), [key, value]]),
      reason: `schedule_config has the unknown key "${key}"`,
    })),
    fc.constantFrom(...otherTypes(type)).chain((other) => validConfig(other).map((config) => ({ config, reason: `a ${other} config is given for ${type}` }))),
  ];

  switch (type) {
    case 'INTERVAL':
      return fc.oneof(...common, replace('interval_seconds', intervalField), replace('start_time', timeField('start_time')));
    case 'WINDOW':
      return fc.oneof(
        ...common,
        replace('interval_seconds', intervalField),
        replace('start_time', fc.oneof(timeField('start_time'), missing('start_time'))),
        replace('end_time', fc.oneof(timeField('end_time'), missing('end_time'))),
        replace('max_runs', fc.oneof(invalidNumber('max_runs', maxRunsRule, options), wrongType('max_runs', ['number', 'null'], options))),
        fc.tuple(fc.integer({ min: -60, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.nat(3)).map(([start, back, form]) => ({
          config: { start_time: timeExpression(start, form), end_time: timeExpression(start - back, form + 1), interval_seconds: 1 },
          reason: 'end_time is not after start_time',
        })),
        fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 60 })).map(([start, duration]) => ({
          config: { start_time: timeExpression(start, 0), end_time: timeExpression(start + duration, 1), interval_seconds: duration * 60 + 1 },
          reason: 'interval_seconds is longer than the window',
        })),
        fc.integer({ min: 2, max: 10_000 }).map((ago) => ({
          config: { start_time: timeExpression(-ago - 60, 1), end_time: timeExpression(-ago, 0), interval_seconds: 60 },
          reason: 'the window has ended',
        })),
      );
    case 'CRON':
      return fc.oneof(
        ...common,
        replace('expression', fc.oneof(invalidCronExpression(options), wrongType('expression', ['string'], options), missing('expression'))),
        replace('timezone', fc.oneof(invalidTimezone('schedule_config.timezone', options), wrongType('timezone', ['string'], options))),
      );
    case 'ONCE':
      return fc.oneof(
        ...common,
        replace('run_at', fc.oneof(timeField('run_at'), missing('run_at'))),
        fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(3)).map(([ago, form]) => ({
          config: { run_at: timeExpression(-ago, form) },
          reason: 'run_at is in the past',
        })),
      );
  }
}

/** Which request the timing fields belong to. */
export type TimingMode = { kind: 'create' } | { kind: 'preview' } | { kind: 'patch'; storedType: ScheduleType };

/**
 * schedule_type, schedule_config and timezone, generated together because
 * their validity depends on each other: a config must fit its type, and a
 * CRON config's time zone must match the top-level one.
 */
export function timingGroup(mode: TimingMode, options: ValueOptions): fc.Arbitrary<FieldGroup> {
  const type = fc.constantFrom(...SCHEDULE_TYPES);
  const timezone = fc.oneof(fc.constant(ABSENT), fc.constantFrom(...validTimezones));

  const valid = fc.tuple(type, timezone, fc.constantFrom(...validTimezones), fc.nat(2)).chain(([scheduleType, topLevel, configZone, placement]) =>
    validConfig(scheduleType).map((config) => {
      let withZone = config;
      // A CRON config may name its own time zone, equal to the top-level one when both are sent.
      if (scheduleType === 'CRON' && placement > 0) withZone = { ...config, timezone: topLevel === ABSENT ? configZone : topLevel };
      const entries: [string, unknown][] = [['schedule_type', scheduleType], ['schedule_config', withZone]];
      if (topLevel !== ABSENT) entries.push(['timezone', topLevel]);
      return entries;
    }),
  );

  const required = mode.kind !== 'patch';
  const broken: fc.Arbitrary<FieldGroup>[] = [
    fc.tuple(valid, fc.oneof(invalidBecause('schedule_type is not a schedule type', fc.constantFrom('HOURLY', 'interval', 'Cron', '', ' ONCE')), wrongType('schedule_type', ['string'], options))).map(
      ([entries, candidate]) => ({ entries: [...entries.filter(([key]) => key !== 'schedule_type'), ['schedule_type', candidate.value]], reasons: [candidate.invalid!] }),
    ),
    fc.tuple(valid, wrongType('schedule_config', ['object'], options)).map(([entries, candidate]) => ({
      entries: [...entries.filter(([key]) => key !== 'schedule_config'), ['schedule_config', candidate.value]],
      reasons: [candidate.invalid!],
    })),
    fc.tuple(valid, fc.oneof(invalidTimezone('timezone', options), wrongType('timezone', ['string'], options))).map(([entries, candidate]) => ({
      entries: [...entries.filter(([key]) => key !== 'timezone'), ['timezone', candidate.value]],
      reasons: [candidate.invalid!],
    })),
    fc.tuple(type, timezone).chain(([scheduleType, topLevel]) =>
      brokenConfig(scheduleType, options).map(({ config, reason }) => {
        const entries: [string, unknown][] = [['schedule_type', scheduleType], ['schedule_config', config]];
        if (topLevel !== ABSENT) entries.push(['timezone', topLevel]);
        return { entries, reasons: [reason] };
      }),
    ),
    fc.tuple(fc.constantFrom(...validCronExpressions), fc.uniqueArray(fc.constantFrom(...validTimezones), { minLength: 2, maxLength: 2 })).map(([expression, [top, inConfig]]) => ({
      entries: [['schedule_type', 'CRON'], ['schedule_config', { expression, timezone: inConfig }], ['timezone', top]],
      reasons: ['schedule_config.timezone differs from timezone'],
    })),
  ];
  if (required) {
    broken.push(valid.map((entries) => ({ entries: entries.filter(([key]) => key !== 'schedule_type'), reasons: ['schedule_type is missing'] })));
    broken.push(valid.map((entries) => ({ entries: entries.filter(([key]) => key !== 'schedule_config'), reasons: ['schedule_config is missing'] })));
  }
  if (mode.kind === 'patch') {
    const stored = mode.storedType;
    broken.push(fc.constantFrom(...otherTypes(stored)).map((other) => ({ entries: [['schedule_type', other]], reasons: [`schedule_type changes from ${stored} to ${other} without a config`] })));
    broken.push(
      fc.constantFrom(...otherTypes(stored)).chain((other) =>
        validConfig(other).map((config) => ({ entries: [['schedule_config', config]], reasons: [`a ${other} config is given to a ${stored} schedule`] })),
      ),
    );
  }

  const validPatch = validGroup(
    fc.oneof(
      fc.constant<[string, unknown][]>([]),
      fc.constantFrom(...validTimezones).map((zone) => [['timezone', zone]] as [string, unknown][]),
      mode.kind === 'patch' ? validConfig(mode.storedType).map((config) => [['schedule_config', config]] as [string, unknown][]) : fc.constant<[string, unknown][]>([]),
      valid,
    ),
  );
  return fc.oneof({ weight: 3, arbitrary: mode.kind === 'patch' ? validPatch : validGroup(valid) }, { weight: 1, arbitrary: fc.oneof(...broken) });
}

const retryRules: Record<string, NumberRule> = {
  max_retries: { min: 0, max: 10, integer: true },
  initial_delay_ms: { min: 0, max: 3_600_000, integer: true },
  max_delay_ms: { min: 0, max: 86_400_000, integer: true },
  multiplier: { min: 1, max: 10, integer: false },
};

function retryPolicyField(options: ValueOptions): FieldSpec {
  const fields: Record<string, FieldSpec> = {
    max_retries: numberField('max_retries', retryRules.max_retries!, options),
    // Kept at or below the default max_delay_ms (60000), so a valid policy stays valid without max_delay_ms.
    initial_delay_ms: { ...numberField('initial_delay_ms', retryRules.initial_delay_ms!, options), valid: fc.integer({ min: 0, max: 60_000 }) },
    max_delay_ms: { ...numberField('max_delay_ms', retryRules.max_delay_ms!, options), valid: fc.integer({ min: 60_000, max: 86_400_000 }) },
    multiplier: numberField('multiplier', retryRules.multiplier!, options),
    jitter: enumField('jitter', JITTER_MODES),
    retry_non_idempotent_timeouts: { accepts: ['boolean'], valid: fc.boolean() },
  };
  const policy = objectInput(fields, options);
  return {
    // NOTE: zod accepts a Map or a Date here as an empty policy, so the defaults apply; they are not counted as wrong.
    accepts: ['object', ...KEYLESS_OBJECT_KINDS],
    valid: policy.filter((candidate) => candidate.reasons.length === 0).map((candidate) => candidate.value),
    invalid: fc.oneof(
      policy.filter((candidate) => candidate.reasons.length > 0).map((candidate) => ({ value: candidate.value, invalid: `retry_policy: ${candidate.reasons.join(', ')}` })),
      invalidBecause(
        'max_delay_ms is below initial_delay_ms',
        fc.integer({ min: 1, max: 3_600_000 }).chain((initial) =>
          fc.oneof(
            fc.integer({ min: 0, max: initial - 1 }).map((maxDelay) => ({ initial_delay_ms: initial, max_delay_ms: maxDelay })),
            // Without max_delay_ms its default (60000) applies, so the check names a field the client did not send.
            initial > 60_000 ? fc.constant({ initial_delay_ms: initial }) : fc.constant({ initial_delay_ms: initial, max_delay_ms: initial - 1 }),
          ),
        ),
      ),
    ),
  };
}

function scheduleFields(options: ValueOptions, create: boolean): Record<string, FieldSpec> {
  return {
    target_id: create ? idField('target', {}, options) : { ...idField('target', {}, options), required: false },
    name: stringField({ valid: validName, invalid: invalidName('name', options) }),
    status: enumField('status', ['ACTIVE', 'PAUSED']),
    retry_policy: retryPolicyField(options),
    overlap_policy: enumField('overlap_policy', OVERLAP_POLICIES),
    misfire_policy: enumField('misfire_policy', MISFIRE_POLICIES),
  };
}

const timingKeys = ['schedule_type', 'schedule_config', 'timezone'];

type StoredStatus = 'ACTIVE' | 'PAUSED' | 'COMPLETED';

/** Returns the type of the fixture schedules with the status: PAUSED ones are INTERVAL, COMPLETED ones WINDOW, ACTIVE ones of every type. */
function fixtureType(type: ScheduleType, status: StoredStatus): ScheduleType {
  if (status === 'PAUSED') return 'INTERVAL';
  if (status === 'COMPLETED') return 'WINDOW';
  return type;
}

/** Generates the type and status of a stored schedule to patch, among those the fixtures contain. */
export const storedScheduleKind: fc.Arbitrary<{ type: ScheduleType; status: StoredStatus }> = fc
  .record({ type: fc.constantFrom(...SCHEDULE_TYPES), status: fc.constantFrom<StoredStatus[]>('ACTIVE', 'PAUSED', 'COMPLETED') })
  .map(({ type, status }) => ({ type: fixtureType(type, status), status }));

export function scheduleCreateInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput(scheduleFields(options, true), options, [timingGroup({ kind: 'create' }, options)], timingKeys);
}

/**
 * Generates a patch of a stored schedule of `storedType` and `storedStatus`.
 * With `id`, for tRPC, the id field that picks such a schedule is part of the input.
 */
export function schedulePatchInput(
  options: ValueOptions,
  storedType: ScheduleType,
  storedStatus: StoredStatus,
  id: boolean,
): fc.Arbitrary<InputCandidate> {
  const fields = scheduleFields(options, false);
  if (id) fields.id = idField('schedule', { scheduleType: storedType, scheduleStatus: storedStatus }, options);
  return objectInput(fields, options, [timingGroup({ kind: 'patch', storedType }, options)], timingKeys).map((candidate) => {
    const value = candidate.value as Record<string, unknown>;
    const replans = timingKeys.some((key) => Object.hasOwn(value, key));
    // A COMPLETED schedule has no slot left, so a new status without a new plan is a conflict.
    if (storedStatus === 'COMPLETED' && (value.status === 'ACTIVE' || value.status === 'PAUSED') && !replans) {
      return { ...candidate, reasons: [...candidate.reasons, `a COMPLETED schedule is set to ${value.status} without a new plan`] };
    }
    return candidate;
  });
}

const countRule: NumberRule = { min: 1, max: 1000, integer: true };
const limitRule: NumberRule = { min: 1, max: 1000, integer: true };

export function previewConfigInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput({ count: coercedNumberField('count', countRule) }, options, [timingGroup({ kind: 'preview' }, options)], timingKeys);
}

export function previewInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput({ id: idField('schedule', {}, options), count: coercedNumberField('count', countRule) }, options);
}

export function idInput(kind: StoredKind, filter: StoredFilter, options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput({ id: idField(kind, filter, options) }, options);
}

// ---------------------------------------------------------------------------
// Lists

const validCursor = fc.uuid().map(encodePageCursor);

function cursorField(options: ValueOptions): FieldSpec {
  return stringField({
    valid: validCursor,
    invalid: fc.oneof(
      invalidBecause('cursor was not made by a list', fc.oneof(fc.constantFrom('', 'bogus', 'MA', '=='), oddText).filter((text) => !/^[A-Za-z0-9_-]{48}$/.test(text))),
      invalidBecause('cursor is too long', longerThan(200, options)),
    ),
  });
}

function filterIdField(kind: StoredKind, options: ValueOptions): FieldSpec {
  return stringField({
    valid: fc.oneof(fc.nat().map((pick) => new StoredId(kind, pick)), fc.uuid(), injectionText.filter((text) => text.length > 0)),
    invalid: fc.oneof(invalidBecause(`${kind}_id is empty`, fc.constant('')), invalidBecause(`${kind}_id is too long`, longerThan(200, options))),
  });
}

/** since and until for runs.list: a valid pair, or one ending before it starts. */
function sinceUntilGroup(options: ValueOptions): fc.Arbitrary<FieldGroup> {
  const instant = fc.integer({ min: -100_000, max: 100_000 }).map((offset) => timeExpression(offset, 1));
  const value = options.flavor === 'json' ? instant : fc.oneof(instant, instant.map((text) => new Date(text)));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<FieldGroup>({ entries: [], reasons: [] }) },
    { weight: 1, arbitrary: fc.tuple(fc.option(value, { nil: ABSENT }), fc.option(value, { nil: ABSENT })).map(([since, until]) => orderedPair(since, until)) },
  );
}

function orderedPair(since: unknown, until: unknown): FieldGroup {
  const entries: [string, unknown][] = [];
  if (since !== ABSENT) entries.push(['since', since]);
  if (until !== ABSENT) entries.push(['until', until]);
  const ms = (value: unknown) => (value instanceof Date ? value.getTime() : Date.parse(value as string));
  const backwards = since !== ABSENT && until !== ABSENT && ms(until) < ms(since);
  return { entries, reasons: backwards ? ['until is before since'] : [] };
}

function instantField(field: string, options: ValueOptions): FieldSpec {
  return {
    accepts: options.flavor === 'json' ? ['string'] : ['string', 'date'],
    valid: fc.integer({ min: -100_000, max: 100_000 }).map((offset) => timeExpression(offset, 1)),
    invalid: fc.oneof(invalidTimeText(field, options), invalidBecause(`${field} is not ISO 8601`, fc.constantFrom('now', 'now - 1 hour')), ...(options.flavor === 'json' ? [] : [invalidBecause(`${field} is an invalid Date`, fc.constant(new Date(Number.NaN)))])),
  };
}

export function pageInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput({ limit: coercedNumberField('limit', limitRule), cursor: cursorField(options) }, options);
}

export function scheduleListInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput(
    { limit: coercedNumberField('limit', limitRule), cursor: cursorField(options), status: enumField('status', SCHEDULE_STATUSES), target_id: filterIdField('target', options) },
    options,
  );
}

export function runListInput(options: ValueOptions): fc.Arbitrary<InputCandidate> {
  return objectInput(
    {
      limit: coercedNumberField('limit', limitRule),
      cursor: cursorField(options),
      status: enumField('status', RUN_STATUSES),
      schedule_id: filterIdField('schedule', options),
      target_id: filterIdField('target', options),
      since: instantField('since', options),
      until: instantField('until', options),
    },
    options,
    [sinceUntilGroup(options)],
  );
}

