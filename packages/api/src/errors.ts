import { DomainError, ValidationError } from '@api-scheduler/core';
import type { ValidationIssue } from '@api-scheduler/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';

import { EngineUnavailableError } from './engine-unavailable-error.js';

/** The only message clients see for a failure on the server's side. The details go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/** Tells whether the input lacks the key that `path` names (or has undefined there), which makes the issue a missing field. */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent = input;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  if (parent === null || typeof parent !== 'object') return false;
  const value = (parent as Record<PropertyKey, unknown>)[path[path.length - 1]!];
  return value === undefined;
}

/**
 * Converts zod issues to REST validation issues. An unrecognized_keys issue
 * becomes one issue per key, located at that key, and a missing field reads
 * "Field required" (type "missing"), as FastAPI reports it.
 */
export function zodIssuesToValidationIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));

    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ loc: [...path, key], msg: `Unrecognized key "${key}"`, type: 'unrecognized_keys' });
      }
      continue;
    }

    if (isMissing(input, issue.path)) {
      issues.push({ loc: path, msg: 'Field required', type: 'missing' });
      continue;
    }

    issues.push({ loc: path, msg: issue.message, type: issue.code });
  }
  return issues;
}

/** Returns the REST-shaped issues of a 422, which toApiError stores on the error's cause. */
export function validationIssuesOf(cause: unknown): ValidationIssue[] | null {
  return cause instanceof ValidationError ? cause.issues : null;
}

function summarize(issues: ValidationIssue[]): string {
  return issues.map((issue) => (issue.loc.length > 0 ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg)).join('; ');
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
    return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_ERROR_MESSAGE });
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
