import { SchedulerClientError, toSchedulerClientError } from '@api-scheduler/client';

/** Messages keyed by field path, such as "url" or "schedule_config.interval_seconds". */
export type FieldErrors = Record<string, string>;

/** Returns the tRPC error code of a failed call, such as "NOT_FOUND", or null for another failure. */
export function errorCodeOf(error: unknown): string | null {
  return error instanceof SchedulerClientError ? error.code : null;
}

/** Returns a sentence for a toast that says why a call failed. */
export function describeError(error: unknown): string {
  if (error instanceof SchedulerClientError) {
    if (error.code === 'UNAUTHORIZED') return 'Not signed in: sign in with an API key and try again.';
    // Neither a status nor a code: the request got no response (the browser reports "Failed to fetch").
    if (error.code === null && error.status === null) return 'The server cannot be reached: check that it is running, then try again.';
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Joins an issue location into the key of a form field. */
export function fieldKey(loc: readonly (string | number)[]): string {
  return loc.join('.');
}

/**
 * Splits the issues of a 422 into messages per field, keeping the first
 * message of each field. Issues without a location, and any other error,
 * go to `general`.
 */
export function serverFieldErrors(error: unknown): { fields: FieldErrors; general: string[] } {
  const issues = toSchedulerClientError(error).issues;
  if (issues.length === 0) return { fields: {}, general: [describeError(error)] };

  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const issue of issues) {
    if (issue.loc.length === 0) {
      general.push(issue.msg);
      continue;
    }
    const key = fieldKey(issue.loc);
    fields[key] ??= issue.msg;
  }
  return { fields, general };
}
