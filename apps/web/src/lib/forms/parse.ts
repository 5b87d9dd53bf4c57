import type { z } from 'zod';

import { fieldKey } from '../api/errors';
import type { FieldErrors } from '../api/errors';

/**
 * Reads a number typed into a text field. Empty text is undefined, so the
 * schema's default applies; text that is not a number is passed on as it
 * is, so the schema rejects it with its own message.
 */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** Turns a failed zod parse into messages per field, the first one of each field, with `prefix` before every path. */
export function zodFieldErrors(error: z.ZodError, prefix: (string | number)[] = []): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = fieldKey([...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))]);
    fields[key] ??= issue.message;
  }
  return fields;
}
