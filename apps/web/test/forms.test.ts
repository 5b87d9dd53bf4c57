import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';

import { serverFieldErrors } from '../src/lib/api/errors';
import { emptyScheduleForm, scheduleFormToInput, scheduleFormToUpdate, validateScheduleForm } from '../src/lib/forms/schedule-form';
import { emptyTargetForm, targetFormToInput, targetToForm, validateTargetForm } from '../src/lib/forms/target-form';

describe('target form', () => {
  it('maps fields to targets.create input', () => {
    const input = targetFormToInput({
      ...emptyTargetForm(),
      name: '  ',
      url: ' http://127.0.0.1:9000/hook ',
      method: 'POST',
      headers: [
        { name: 'X-Token', value: 'abc' },
        { name: ' ', value: 'ignored' },
      ],
      body: '{"a":1}',
      timeout_ms: '2500',
    });
    expect(input).toEqual({ url: 'http://127.0.0.1:9000/hook', method: 'POST', headers: { 'X-Token': 'abc' }, body_template: '{"a":1}', timeout_ms: 2500 });
  });

  it('maps an empty body to null', () => {
    expect(targetFormToInput({ ...emptyTargetForm(), url: 'http://a.test/' }).body_template).toBeNull();
  });

  it('reports invalid fields with the server messages', () => {
    const errors = validateTargetForm({ ...emptyTargetForm(), url: 'ftp://example.com', timeout_ms: '50' });
    expect(errors.url).toBe('Unsupported URL scheme "ftp": only http and https are allowed');
    expect(errors.timeout_ms).toBe('timeout_ms must be at least 100');
  });

  it('reports text in a number field', () => {
    const errors = validateTargetForm({ ...emptyTargetForm(), url: 'http://a.test/', timeout_ms: 'soon' });
    expect(errors.timeout_ms).toBe('timeout_ms must be a number of milliseconds');
  });

  it('rejects a body on a GET target', () => {
    const errors = validateTargetForm({ ...emptyTargetForm(), url: 'http://a.test/', method: 'GET', body: 'x' });
    expect(errors.body_template).toMatch(/^A GET target cannot have a body_template/);
  });

  it('accepts a valid target', () => {
    expect(validateTargetForm({ ...emptyTargetForm(), url: 'http://a.test/' })).toEqual({});
  });

  it('keeps masked header values when editing', () => {
    const form = targetToForm({
      id: 't1',
      target_id: 't1',
      name: 'hook',
      url: 'http://a.test/',
      method: 'GET',
      headers: { Authorization: '***' },
      body_template: null,
      timeout_ms: 1000,
      signed: false,
      created_at: new Date(0),
      updated_at: new Date(0),
    });
    expect(form.headers).toEqual([{ name: 'Authorization', value: '***' }]);
    expect(targetFormToInput(form).headers).toEqual({ Authorization: '***' });
  });
});

describe('schedule form', () => {
  it('maps an interval schedule to create input', () => {
    const input = scheduleFormToInput({ ...emptyScheduleForm('t1'), name: 'Ping', interval_seconds: '10', start_time: '' });
    expect(input).toMatchObject({
      target_id: 't1',
      name: 'Ping',
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 10 },
      timezone: 'UTC',
      status: 'ACTIVE',
      overlap_policy: 'skip',
      misfire_policy: 'fire_once',
      retry_policy: { max_retries: 3, initial_delay_ms: 1000, max_delay_ms: 60000, multiplier: 2, jitter: 'full', retry_non_idempotent_timeouts: false },
    });
  });

  it('sends only the fields of the chosen type', () => {
    const values = { ...emptyScheduleForm('t1'), schedule_type: 'CRON' as const, expression: ' 30 2 * * 1-5 ', timezone: 'Europe/London' };
    const input = scheduleFormToInput(values);
    expect(input.schedule_config).toEqual({ expression: '30 2 * * 1-5' });
    expect(input.timezone).toBe('Europe/London');

    const window = scheduleFormToInput({ ...values, schedule_type: 'WINDOW', start_time: 'now', end_time: 'now + 1 hour', interval_seconds: '60', max_runs: '' });
    expect(window.schedule_config).toEqual({ start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60 });
  });

  it('leaves status out of an update', () => {
    const update = scheduleFormToUpdate({ ...emptyScheduleForm('t1'), start_paused: true }, 's1');
    expect(update.id).toBe('s1');
    expect('status' in update).toBe(false);
  });

  it('reports config and policy errors by field', () => {
    const errors = validateScheduleForm({ ...emptyScheduleForm('t1'), interval_seconds: '0', max_retries: '11' });
    expect(errors['schedule_config.interval_seconds']).toBe('interval_seconds must be at least 1');
    expect(errors['retry_policy.max_retries']).toBe('max_retries must be at most 10');
  });

  it('reports a max delay below the first delay', () => {
    const errors = validateScheduleForm({ ...emptyScheduleForm('t1'), initial_delay_ms: '5000', max_delay_ms: '1000' });
    expect(errors['retry_policy.max_delay_ms']).toBe('max_delay_ms must be at least initial_delay_ms');
  });

  it('requires a target', () => {
    expect(validateScheduleForm(emptyScheduleForm(''))['target_id']).toBe('target_id is required');
  });

  it('leaves time text to the server', () => {
    // Only the server parses times such as "now + 1 hour": the form's preview sends them there.
    const errors = validateScheduleForm({ ...emptyScheduleForm('t1'), schedule_type: 'WINDOW', start_time: 'now', end_time: 'tomorrow-ish' });
    expect(errors).toEqual({});
  });

  it('reports text in the interval field', () => {
    const errors = validateScheduleForm({ ...emptyScheduleForm('t1'), schedule_type: 'WINDOW', start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 'x' });
    expect(errors['schedule_config.interval_seconds']).toBe('interval_seconds must be a number of seconds');
  });

  it('accepts the defaults', () => {
    expect(validateScheduleForm(emptyScheduleForm('t1'))).toEqual({});
  });
});

describe('serverFieldErrors', () => {
  it('maps 422 issues to fields', () => {
    const error = TRPCClientError.from({
      error: {
        message: 'schedule_config.interval_seconds: too long',
        code: -32600,
        data: {
          code: 'UNPROCESSABLE_CONTENT',
          httpStatus: 422,
          issues: [
            { loc: ['schedule_config', 'interval_seconds'], msg: 'Rate (Interval 3600s) cannot be greater than the Window duration', type: 'value_error' },
            { loc: ['schedule_config', 'interval_seconds'], msg: 'second message', type: 'value_error' },
            { loc: [], msg: 'whole input', type: 'value_error' },
          ],
        },
      },
    });
    expect(serverFieldErrors(error)).toEqual({
      fields: { 'schedule_config.interval_seconds': 'Rate (Interval 3600s) cannot be greater than the Window duration' },
      general: ['whole input'],
    });
  });

  it('puts other errors in general', () => {
    const error = TRPCClientError.from({ error: { message: 'Target t1 is used by schedules: Ping', code: -32603, data: { code: 'CONFLICT', httpStatus: 409, issues: null } } });
    expect(serverFieldErrors(error)).toEqual({ fields: {}, general: ['Target t1 is used by schedules: Ping'] });
  });
});
