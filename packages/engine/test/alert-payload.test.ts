import { describe, expect, it } from 'vitest';

import { NO_ALERT } from '@api-scheduler/core';
import type { AlertNotification, Run, Schedule } from '@api-scheduler/core';

import { alertBody, alertPayload, alertText, escapeSlackText } from '../src/index.js';

const at = new Date('2026-12-05T03:00:00.000Z');
const schedule = {
  id: 'schedule-1',
  name: 'nightly <!channel> & co',
  next_run_at: new Date('2026-12-05T04:00:00.000Z'),
  ...NO_ALERT,
  alert: { webhook_url: 'http://127.0.0.1:9/hook', format: 'slack', after_consecutive_failures: 3, silence_after_seconds: 60 },
} as unknown as Schedule;
const failedRun = { id: 'run-1', status: 'FAILURE', attempt: 4, scheduled_for: at, status_code: 500, latency_ms: 5, error_type: 'HTTP_5XX', error_message: 'HTTP 500' } as Run;
const timedOutRun = { ...failedRun, status_code: null, error_type: 'TIMEOUT', error_message: 'No response within 5000 ms' } as Run;
const goodRun = { ...failedRun, status: 'SUCCESS', status_code: 200, error_type: null, error_message: null } as Run;

function notification(overrides: Partial<AlertNotification>): AlertNotification {
  return {
    id: 'n-1',
    schedule_id: schedule.id,
    event: 'schedule.failing',
    previous_state: 'OK',
    failures: 3,
    run_id: 'run-1',
    overdue_run_at: null,
    created_at: at,
    delivery: 'PENDING',
    attempts: 0,
    next_attempt_at: at,
    lease_until: null,
    delivered_at: null,
    last_error: null,
    ...overrides,
  };
}

describe('alertText', () => {
  const cases: Array<[string, AlertNotification, Run | null, string]> = [
    ['failing with a status', notification({}), failedRun, 'is failing: 3 failed fires in a row. Last run: HTTP 500 (HTTP_5XX).'],
    ['failing without a response', notification({ failures: 1 }), timedOutRun, 'is failing: 1 failed fire in a row. Last run: TIMEOUT: No response within 5000 ms.'],
    ['recovered', notification({ event: 'schedule.recovered', previous_state: 'FAILING', failures: 4 }), goodRun, 'recovered after 4 failed fires in a row. Last run: HTTP 200.'],
    ['recovered from silence', notification({ event: 'schedule.recovered', previous_state: 'SILENT', failures: 0 }), goodRun, 'fires again after being silent. Last run: HTTP 200.'],
    [
      'silent',
      notification({ event: 'schedule.silent', run_id: null, overdue_run_at: new Date('2026-12-05T02:59:00.000Z') }),
      null,
      'is silent: its fire planned for 2026-12-05T02:59:00.000Z has not happened within 60 seconds.',
    ],
  ];

  it.each(cases)('%s', (_name, made, run, expected) => {
    expect(alertText(made, schedule, run)).toBe(`Schedule "${schedule.name}" ${expected}`);
  });
});

describe('alertBody', () => {
  it('slack escapes markup', () => {
    const body = JSON.parse(alertBody('slack', alertPayload(notification({}), schedule, failedRun)));

    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('Schedule "nightly &lt;!channel&gt; &amp; co" is failing');
    expect(body.text).not.toContain('<');
  });

  it('json keeps the name as written', () => {
    const body = JSON.parse(alertBody('json', alertPayload(notification({}), schedule, failedRun)));

    expect(body.schedule).toEqual({
      id: 'schedule-1',
      name: 'nightly <!channel> & co',
      alert_state: 'FAILING',
      previous_state: 'OK',
      consecutive_failures: 3,
      next_run_at: '2026-12-05T04:00:00.000Z',
    });
    expect(body.run).toMatchObject({ id: 'run-1', status: 'FAILURE', status_code: 500 });
  });

  it.each([
    ['a & b', 'a &amp; b'],
    ['<http://x|y>', '&lt;http://x|y&gt;'],
    ['&amp;', '&amp;amp;'],
  ])('escapeSlackText(%j) is %j', (input, expected) => {
    expect(escapeSlackText(input)).toBe(expected);
  });
});
