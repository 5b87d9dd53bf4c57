import { DrizzleQueryError } from 'drizzle-orm/errors';

/** A failed SQL statement, reported without its parameters. */
export class DatabaseQueryError extends Error {
  constructor(
    readonly query: string,
    cause: unknown,
  ) {
    super(`Database query failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseQueryError';
  }
}

/**
 * Replaces drizzle's query error, whose message lists every bound parameter
 * (target headers included, secrets and all), with one that keeps the SQL
 * text and the driver's error but not the parameters. Other errors pass through.
 */
export function withoutQueryParams(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error;
  return new DatabaseQueryError(error.query, error.cause);
}
