import { z } from 'zod';

export interface NumberFieldOptions {
  min: number;
  max: number;
  /** False allows fractions. Default true. */
  integer?: boolean;
  /** Unit in the plural for messages, such as "seconds". */
  unit?: string;
  /** Meaning of the maximum, shown after it in messages, such as "366 days". */
  maxNote?: string;
}

function withBounds<T extends z.ZodNumber | z.ZodCoercedNumber>(schema: T, name: string, options: NumberFieldOptions): T {
  const maxNote = options.maxNote === undefined ? '' : ` (${options.maxNote})`;
  const ofUnit = options.unit === undefined ? '' : ` of ${options.unit}`;

  // Each check aborts the ones after it, so a bad value gets one issue. The
  // bounds come first: 1e20 is an integer to JavaScript but not a safe one,
  // and zod's int check would report it as well as the maximum.
  let bounded = schema
    .min(options.min, { message: `${name} must be at least ${options.min}`, abort: true })
    .max(options.max, { message: `${name} must be at most ${options.max}${maxNote}`, abort: true });
  if (options.integer !== false) {
    bounded = bounded.int({ message: `${name} must be a whole number${ofUnit}`, abort: true });
  }
  return bounded as T;
}

/**
 * Builds the schema of a bounded number in a JSON body. Its messages name the
 * field and the bound it breaks, such as "max_runs must be at least 1".
 */
export function numberField(name: string, options: NumberFieldOptions): z.ZodNumber {
  const ofUnit = options.unit === undefined ? '' : ` of ${options.unit}`;
  return withBounds(z.number({ error: `${name} must be a number${ofUnit}` }), name, options);
}

/** Builds the schema of a bounded number in a query string, which arrives as text, with the messages of numberField. */
export function queryNumberField(name: string, options: NumberFieldOptions): z.ZodCoercedNumber {
  const ofUnit = options.unit === undefined ? '' : ` of ${options.unit}`;
  return withBounds(z.coerce.number({ error: `${name} must be a number${ofUnit}` }), name, options);
}
