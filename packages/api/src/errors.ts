import { DomainError, ValidationError, toValidationIssues } from '@api-scheduler/core';
import type { ValidationIssue } from '@api-scheduler/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';

import { EngineUnavailableError } from './engine-unavailable-error.js';

/** The only message clients see for a failure on the server's side. The details go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * Converts zod issues of a procedure's input to REST validation issues, with
 * core's rules: one issue per unrecognized key, and "Field required" (type
 * "missing") for a field that the input lacks.
 */
export function zodIssuesToValidationIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  return toValidationIssues(error, [], input);
}

/** Returns the REST-shaped issues of a 422, which toApiError stores on the error's cause. */
export function validationIssuesOf(cause: unknown): ValidationIssue[] | null {
  return cause instanceof ValidationError ? cause.issues : null;
}

function summarize(issues: ValidationIssue[]): string {
  return issues.map((issue) => (issue.loc.length > 0 ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg)).join('; ');
}

// The INTERNAL_SERVER_ERRORs that toApiError made after passing the original
// error to onUnexpected, so an HTTP adapter's onError can skip them.
const reportedErrors = new WeakSet<TRPCError>();

/**
 * Tells whether toApiError already passed this error's original to its
 * onUnexpected callback (which logs it). tRPC errors that arise outside the
 * procedure, such as a failure to serialize its output, return false.
 */
export function isReportedError(error: TRPCError): boolean {
  return reportedErrors.has(error);
}

/**
 * Maps an error from a procedure to the one the client gets. Core domain
 * errors become NOT_FOUND, CONFLICT or UNPROCESSABLE_CONTENT (422), and
 * EngineUnavailableError becomes SERVICE_UNAVAILABLE (503). An invalid input
 * becomes UNPROCESSABLE_CONTENT with a ValidationError as cause. Any other
 * failure becomes INTERNAL_SERVER_ERROR with a generic message, and
 * `onUnexpected` receives its original error for the log.
 */
export function toApiError(error: TRPCError, rawInput: unknown, onUnexpected: (cause: unknown) => void): TRPCError {
  const cause = error.cause;

  if (cause instanceof DomainError) {
    switch (cause.code) {
      case 'NOT_FOUND':
        return new TRPCError({ code: 'NOT_FOUND', message: cause.message, cause });
      case 'CONFLICT':
        return new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
      case 'VALIDATION':
        return new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message: cause.message, cause });
    }
  }

  if (cause instanceof EngineUnavailableError) {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: cause.message, cause });
  }

  // tRPC reports a failed .input() parse as BAD_REQUEST whose cause is the ZodError.
  if (error.code === 'BAD_REQUEST' && cause instanceof z.ZodError) {
    const validation = new ValidationError(zodIssuesToValidationIssues(cause, rawInput));
    return new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message: summarize(validation.issues), cause: validation });
  }

  if (error.code === 'INTERNAL_SERVER_ERROR') {
    onUnexpected(cause ?? error);
    const hidden = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_ERROR_MESSAGE });
    reportedErrors.add(hidden);
    return hidden;
  }

  return error;
}

interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  cause?: LoggedError;
}

/**
 * Describes an error for the log without the bound parameters of a failed
 * SQL statement: drizzle's DrizzleQueryError puts them into its message, and
 * they can hold header values, which may be secrets.
 */
export function describeErrorForLog(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };

  const query = (error as { query?: unknown }).query;
  const hasParams = 'params' in error;
  const message = hasParams && typeof query === 'string' ? `Failed query: ${query}` : error.message;
  const stack = hasParams ? undefined : error.stack;

  const described: LoggedError = { type: error.name, message };
  if (stack !== undefined) described.stack = stack;
  if (error.cause !== undefined && depth < 5) described.cause = describeErrorForLog(error.cause, depth + 1);
  return described;
}
