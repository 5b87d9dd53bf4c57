import { ERROR_TYPES, HTTP_METHODS, RUN_STATUSES, maskHeaders, withoutReservedKeys } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';
import { z } from 'zod';

export const runOutput = z.object({
  id: z.string(),
  run_id: z.string(),
  schedule_id: z.string(),
  target_id: z.string(),
  scheduled_for: z.date().describe('The planned instant of the fire, shared by all attempts of one fire'),
  attempt: z.number().int(),
  started_at: z.date(),
  finished_at: z.date().nullable(),
  status: z.enum(RUN_STATUSES),
  status_code: z.number().int().nullable(),
  latency_ms: z.number().nullable(),
  response_size: z.number().int().nullable().describe('Size of the response body in bytes, counted even past the stored excerpt'),
  response_headers: z.record(z.string(), z.string()).nullable(),
  response_body: z.string().nullable().describe('Excerpt of the response body'),
  truncated: z.boolean().describe('True when response_body is shorter than the response'),
  error_type: z.enum(ERROR_TYPES).nullable(),
  error_message: z.string().nullable(),
  request: z.object({
    method: z.enum(HTTP_METHODS),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
  }),
  catch_up: z.boolean().describe('True for a fire that the misfire policy made up for missed slots'),
  manual: z.boolean().describe('True for a run made by "run now" (trigger) rather than by the schedule'),
  missed_count: z.number().int().describe('Planned slots this catch-up run stands for besides its own'),
  instance_id: z.string(),
});
export type RunOutput = z.output<typeof runOutput>;

export const onRunInput = z
  .strictObject({
    schedule_id: z.string().min(1, 'schedule_id may not be empty').max(200, 'schedule_id is longer than 200 characters').optional().describe('Deliver only the runs of this schedule'),
  })
  .optional();

/** One event of the live-runs subscription: a run that started, or one that finished, with its secrets masked. */
export const runChangeOutput = z.object({
  kind: z.enum(['started', 'finished']),
  run: runOutput,
});
export type RunChangeOutput = z.output<typeof runChangeOutput>;

export function toRunOutput(run: Run): RunOutput {
  // superjson refuses to serialize the keys __proto__, constructor and
  // prototype. The engine no longer records them as response headers, and
  // target input rejects them as header names, but runs recorded before that
  // may still hold one. They are left out here, or every tRPC page that lists
  // such a run would fail.
  const responseHeaders = run.response_headers === null ? null : withoutReservedKeys(run.response_headers);
  return {
    ...run,
    run_id: run.id,
    // The engine masks the request it stores. Masking here as well covers
    // secrets in the target's response headers, such as Set-Cookie.
    request: { ...run.request, headers: maskHeaders(withoutReservedKeys(run.request.headers)) },
    response_headers: responseHeaders === null ? null : maskHeaders(responseHeaders),
  };
}
