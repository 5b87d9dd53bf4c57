import { z } from 'zod';

import { RUN_STATUSES } from './enums.js';
import type { ErrorType, HttpMethod, RunStatus } from './enums.js';
import { LIMITS } from './limits.js';

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

export const listRunsInput = z.strictObject({
  schedule_id: z.string().min(1).optional(),
  target_id: z.string().min(1).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  since: z.coerce.date({ error: 'since must be an ISO 8601 time, such as 2026-05-01T09:00:00Z' }).optional(),
  until: z.coerce.date({ error: 'until must be an ISO 8601 time, such as 2026-05-01T09:00:00Z' }).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().min(1).max(200).optional(),
});
export type ListRunsInput = z.output<typeof listRunsInput>;

export const pageInput = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().min(1).max(200).optional(),
});
export type PageInput = z.output<typeof pageInput>;

export interface Page<T> {
  items: T[];
  /** Cursor of the next page, or null on the last page. */
  next_cursor: string | null;
}

export type { RunStatus };
