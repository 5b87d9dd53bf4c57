import { z } from 'zod';

import { TimeExpressionError, parseIsoTime } from '../time/parse-time-expression.js';
import { RUN_STATUSES } from './enums.js';
import type { ErrorType, HttpMethod, RunStatus } from './enums.js';
import { LIMITS } from './limits.js';
import { queryNumberField } from './number-field.js';
import { pageCursorSchema } from './page-cursor.js';

/** The request as sent, with secret header values masked. */
export interface RunRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
}

export interface Run {
  id: string;
  schedule_id: string;
  target_id: string;
  /** The planned instant of the fire; attempts of one fire share it. */
  scheduled_for: Date;
  attempt: number;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  status_code: number | null;
  latency_ms: number | null;
  response_size: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  truncated: boolean;
  error_type: ErrorType | null;
  error_message: string | null;
  request: RunRequest;
  catch_up: boolean;
  /** True for a run made by "run now" rather than by the schedule's grid. */
  manual: boolean;
  /** Planned slots that a catch-up run stands for besides its own. */
  missed_count: number;
  instance_id: string;
}

const pageLimitSchema = queryNumberField('limit', { min: 1, max: LIMITS.pageSizeMax }).default(LIMITS.pageSizeDefault);

/**
 * Builds the schema of a since or until filter: a Date from tRPC, or an ISO
 * 8601 string read as strictly as a schedule's start_time, so an impossible
 * date such as 2026-02-30 is rejected and not rolled over into March. A time
 * without an offset is read as UTC.
 */
function instantFilter(field: 'since' | 'until') {
  const message = `${field} must be an ISO 8601 time, such as 2026-05-01T09:00:00Z`;
  return z.preprocess<unknown, z.ZodDate, Date | string>((value) => {
    if (typeof value !== 'string') return value;
    try {
      return new Date(parseIsoTime(value, 'UTC'));
    } catch (error) {
      if (error instanceof TimeExpressionError) return new Date(Number.NaN);
      throw error;
    }
  }, z.date({ error: message }).describe('ISO 8601 time, such as 2026-05-01T09:00:00Z. A time without an offset is read as UTC'));
}

/** Builds the schema of an id that filters a list, such as target_id. */
export function idFilterSchema(field: string) {
  return z
    .string({ error: `${field} must be a string` })
    .min(1, { message: `${field} may not be empty`, abort: true })
    .max(200, { message: `${field} is longer than 200 characters`, abort: true });
}

/** Outcome fields of a run that has not finished yet, all empty; spread into a new run and override what is known. */
export const EMPTY_RUN_OUTCOME = {
  finished_at: null,
  status_code: null,
  latency_ms: null,
  response_size: null,
  response_headers: null,
  response_body: null,
  truncated: false,
  error_type: null,
  error_message: null,
} as const satisfies Partial<Run>;

export const listRunsInput = z.strictObject({
  schedule_id: idFilterSchema('schedule_id').optional(),
  target_id: idFilterSchema('target_id').optional(),
  status: z.enum(RUN_STATUSES, { error: `status must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
  since: instantFilter('since').optional(),
  until: instantFilter('until').optional(),
  limit: pageLimitSchema,
  cursor: pageCursorSchema.optional(),
});
export type ListRunsInput = z.output<typeof listRunsInput>;

export const pageInput = z.strictObject({
  limit: pageLimitSchema,
  cursor: pageCursorSchema.optional(),
});
export type PageInput = z.output<typeof pageInput>;

export interface Page<T> {
  items: T[];
  /** Cursor of the next page, or null on the last page. */
  next_cursor: string | null;
}

export type { RunStatus };
