import { HTTP_METHODS, createTargetInput, methodSendsBody, unsentBodyMessage } from '@api-scheduler/core/schemas';
import type { HttpMethod } from '@api-scheduler/core/schemas';

import type { FieldErrors } from '../api/errors';
import type { CreateTargetInput, Target } from '../api/types';
import { numberOrText, zodFieldErrors } from './parse';

export interface HeaderRow {
  name: string;
  value: string;
}

/** Values of the target form: text as typed, before it is checked. */
export interface TargetFormValues {
  name: string;
  url: string;
  method: HttpMethod;
  headers: HeaderRow[];
  body: string;
  timeout_ms: string;
}

export const TARGET_METHODS = HTTP_METHODS;

export function emptyTargetForm(): TargetFormValues {
  return { name: '', url: '', method: 'GET', headers: [], body: '', timeout_ms: '10000' };
}

/** Fills the form from a stored target. Secret header values arrive masked as "***", and sending them back keeps the stored value. */
export function targetToForm(target: Target): TargetFormValues {
  return {
    name: target.name,
    url: target.url,
    method: target.method,
    headers: Object.entries(target.headers).map(([name, value]) => ({ name, value: String(value) })),
    body: target.body_template ?? '',
    timeout_ms: String(target.timeout_ms),
  };
}

/**
 * Maps the form to the input of targets.create (and of targets.update,
 * which takes the same fields). Rows with an empty header name are left
 * out, and an empty body becomes null.
 */
export function targetFormToInput(values: TargetFormValues): CreateTargetInput {
  const headers: Record<string, string> = {};
  for (const row of values.headers) {
    const name = row.name.trim();
    if (name !== '') headers[name] = row.value;
  }
  const name = values.name.trim();
  return {
    ...(name === '' ? {} : { name }),
    url: values.url.trim(),
    method: values.method,
    headers,
    body_template: values.body === '' ? null : values.body,
    timeout_ms: numberOrText(values.timeout_ms) as number,
  };
}

/** Checks the form with the schema that the server applies, and returns the messages per field (empty when it is valid). */
export function validateTargetForm(values: TargetFormValues): FieldErrors {
  const input = targetFormToInput(values);
  const parsed = createTargetInput.safeParse(input);
  const errors = parsed.success ? {} : zodFieldErrors(parsed.error);

  // The server checks the method and body as a pair, outside the schema.
  const bodyMessage = unsentBodyMessage(values.method, input.body_template ?? null);
  if (bodyMessage !== null) errors.body_template ??= bodyMessage;
  return errors;
}

/** Tells whether requests with this method carry the body, for the hint next to the body field. */
export function methodHasBody(method: HttpMethod): boolean {
  return methodSendsBody(method);
}
