import { Cron, CronPattern } from 'croner';
import type { CronOptions } from 'croner';

/**
 * croner 11.0.1 options shared by every CRON schedule.
 *
 * - mode "5-or-6-parts": five fields, or six with seconds first. croner's
 *   optional seventh field (year) is rejected.
 * - domAndDow false: day-of-month and day-of-week combine with OR when both
 *   are restricted, as in POSIX and Vixie cron. A `+` before day-of-week
 *   (croner's extension) switches them to AND.
 * - fixedTimeRule "no-wildcard": a job without `*`, `?` or a step in its
 *   second, minute and hour fields is a fixed-time job. It fires once when
 *   its time occurs twice (fall back), and at the end of a skipped hour
 *   (spring forward). Other jobs follow real elapsed time: they fire on both
 *   passes of a repeated hour and not at all in a skipped one. croner's
 *   default rule ("single-value") would treat lists such as `30 2,14 * * *`
 *   as interval jobs and skip their 02:30 on a spring-forward night.
 *   "no-wildcard" is close to Vixie cron, where a job is wild only when its
 *   minute or hour field starts with `*`. Unlike Vixie, a step without `*`
 *   (`0 0-23/2 * * *`) still makes an interval job.
 */
export const CRONER_OPTIONS = {
  mode: '5-or-6-parts',
  fixedTimeRule: 'no-wildcard',
  domAndDow: false,
} as const satisfies CronOptions;

/** A parsed expression in one time zone, shared by every call of the CRON strategy. */
export interface CompiledCron {
  cron: Cron;
  pattern: CronPattern;
}

export class CronExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly problem: string,
  ) {
    super(`Invalid cron expression "${expression}": ${problem}`);
    this.name = 'CronExpressionError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** The largest step croner 11.0.1 accepts: the number of values of the field. */
  maxStep: number;
  names: readonly string[];
  /** Tokens besides numbers and names: L (last day), LW, 15W (nearest weekday), 5L or FRIL (last Friday). */
  specials: RegExp;
  /** Allowed characters and names of the field, quoted in error messages. */
  syntax: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const NO_SPECIALS = /^(?!)/;

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, maxStep: 60, names: [], specials: NO_SPECIALS, syntax: 'digits and * ? , - /' };
const MINUTE: FieldSpec = { ...SECOND, name: 'minute' };
const HOUR: FieldSpec = { ...SECOND, name: 'hour', max: 23, maxStep: 24 };
const DAY_OF_MONTH: FieldSpec = {
  name: 'day-of-month',
  min: 1,
  max: 31,
  maxStep: 31,
  names: [],
  specials: /^(L|LW|\d+W)$/,
  syntax: 'digits, L, W and * ? , - /',
};
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, maxStep: 12, names: MONTH_NAMES, specials: NO_SPECIALS, syntax: 'digits, JAN-DEC and * ? , - /' };
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  maxStep: 7,
  names: DAY_NAMES,
  specials: new RegExp(`^(\\d+|${DAY_NAMES.join('|')})L$`),
  syntax: 'digits, SUN-SAT, L, # and * ? , - / +',
};

// The nicknames croner 11.0.1 expands; @daily is "0 0 * * *".
const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const FIVE_FIELDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const SIX_FIELDS = [SECOND, ...FIVE_FIELDS];

/** Trims an expression and collapses runs of whitespace, which croner would read as empty fields. */
export function normalizeCronExpression(expression: string): string {
  return expression.trim().replace(/\s+/g, ' ');
}

/**
 * Checks the fields of an expression for the mistakes users make most
 * (wrong field count, values out of range, unknown names) and throws a
 * CronExpressionError naming the field. What passes here still goes
 * through croner, which rejects the rest with its own message.
 */
function checkFields(expression: string): void {
  if (expression.startsWith('@')) {
    if (NICKNAMES.includes(expression.toLowerCase())) return;
    throw new CronExpressionError(expression, `unknown nickname: use one of ${NICKNAMES.join(', ')}, or 5 fields`);
  }

  const fields = expression === '' ? [] : expression.split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    throw new CronExpressionError(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found ${fields.length}`,
    );
  }

  const specs = fields.length === 6 ? SIX_FIELDS : FIVE_FIELDS;
  fields.forEach((field, index) => checkField(expression, field, specs[index]!));
}

function checkField(expression: string, field: string, spec: FieldSpec): void {
  // Also rejects ":", which would make croner read the string as a date to fire once at.
  if (!/^[0-9A-Za-z*?,/#+-]+$/.test(field)) {
    throw new CronExpressionError(expression, `${spec.name} field "${field}" may contain only ${spec.syntax}`);
  }

  for (const item of field.replace(/^\+/, '').split(',')) {
    if (item === '') throw new CronExpressionError(expression, `${spec.name} field "${field}" has an empty list item`);

    const [range = '', step] = item.split('/');
    if (step !== undefined && /^\d+$/.test(step) && (Number(step) < 1 || Number(step) > spec.maxStep)) {
      throw new CronExpressionError(expression, `${spec.name} step ${step} is out of range 1-${spec.maxStep}`);
    }

    const [base = '', nth] = range.split('#');
    if (nth !== undefined && /^\d+$/.test(nth) && (Number(nth) < 1 || Number(nth) > 5)) {
      throw new CronExpressionError(expression, `${spec.name} "${item}": the number after # must be 1-5 (the nth weekday of the month) or L`);
    }

    const bounds = base.split('-');
    for (const bound of bounds) checkBound(expression, bound, spec);
    const [low, high] = bounds;
    if (bounds.length === 2 && /^\d+$/.test(low!) && /^\d+$/.test(high!) && Number(low) > Number(high)) {
      throw new CronExpressionError(expression, `${spec.name} range ${low}-${high} runs backwards: write the lower value first`);
    }
  }
}

function checkBound(expression: string, bound: string, spec: FieldSpec): void {
  if (bound === '' || bound === '*' || bound === '?') return;

  const digits = /^(\d+)[LW]?$/i.exec(bound);
  if (digits) {
    const value = Number(digits[1]);
    if (value < spec.min || value > spec.max) {
      const sunday = spec === DAY_OF_WEEK ? ' (0 and 7 are Sunday)' : '';
      throw new CronExpressionError(expression, `${spec.name} ${value} is out of range ${spec.min}-${spec.max}${sunday}`);
    }
    return;
  }

  const upper = bound.toUpperCase();
  if (spec.names.includes(upper) || spec.specials.test(upper)) return;
  if (/^[A-Z]+$/.test(upper) && spec.names.length > 0) {
    const range = `${spec.names[0]}-${spec.names[spec.names.length - 1]}`;
    throw new CronExpressionError(expression, `${spec.name} field has an unknown name "${bound}": use ${range}`);
  }
  if (/[A-Z]/.test(upper)) {
    throw new CronExpressionError(expression, `${spec.name} field has "${bound}", but may contain only ${spec.syntax}`);
  }
}

/** Strips the "CronPattern: " prefix and the final period of croner's messages, which follow ours after a colon. */
function describeCronerError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern: /, '').replace(/\.$/, '');
}

// The engine calls the strategy several times per fire, and parsing costs
// about as much as a next-fire search (140 µs against 110 µs for
// "*/5 9-17 * * MON-FRI" in Europe/Berlin, 2-vCPU AMD EPYC VM), so parsed
// expressions are kept. A Map keeps insertion order: a hit moves its entry
// to the end, so the first entry is the least recently used one to evict.
const MAX_CACHED_EXPRESSIONS = 10_000;
const compiled = new Map<string, CompiledCron>();

/**
 * Parses an expression for a time zone, from a cache of the recently used
 * ones. Throws CronExpressionError for an expression that croner cannot
 * read. The time zone is not checked here: an unknown zone fails at the
 * first next-fire search with croner's RangeError.
 */
export function compileCron(expression: string, timezone: string): CompiledCron {
  const key = `${timezone}\u0000${expression}`;
  const cached = compiled.get(key);
  if (cached) {
    compiled.delete(key);
    compiled.set(key, cached);
    return cached;
  }

  const entry = parseCron(expression, timezone);
  if (compiled.size >= MAX_CACHED_EXPRESSIONS) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, entry);
  return entry;
}

function parseCron(expression: string, timezone: string): CompiledCron {
  const normalized = normalizeCronExpression(expression);
  checkFields(normalized);

  try {
    // croner rewrites the options object it is given, so each call gets its own.
    const cron = new Cron(normalized, { ...CRONER_OPTIONS, timezone });
    const pattern = new CronPattern(normalized, timezone, { mode: CRONER_OPTIONS.mode, fixedTimeRule: CRONER_OPTIONS.fixedTimeRule });
    return { cron, pattern };
  } catch (error) {
    throw new CronExpressionError(expression, describeCronerError(error));
  }
}
