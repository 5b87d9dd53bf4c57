import { newId } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';

/** Builds a finished SUCCESS run of `scheduleId`, planned for `at`. Overrides replace any field. */
export function makeRun(scheduleId: string, targetId: string, at: number, overrides: Partial<Run> = {}): Run {
  return {
    id: newId(at),
    schedule_id: scheduleId,
    target_id: targetId,
    scheduled_for: new Date(at),
    attempt: 1,
    started_at: new Date(at),
    finished_at: new Date(at + 120),
    status: 'SUCCESS',
    status_code: 200,
    latency_ms: 120,
    response_size: 2,
    response_headers: { 'content-type': 'application/json', 'set-cookie': 'session=abc' },
    response_body: '{}',
    truncated: false,
    error_type: null,
    error_message: null,
    request: { method: 'GET', url: 'https://example.com/hook', headers: { Authorization: '***', Accept: '*/*' } },
    catch_up: false,
    manual: false,
    missed_count: 0,
    instance_id: 'test-instance',
    ...overrides,
  };
}
