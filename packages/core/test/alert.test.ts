import { describe, expect, it } from 'vitest';

import { alertConfigSchema, applyFireOutcome, createScheduleInput, isSilent } from '../src/index.js';
import type { AlertState, AlertTransition, FireOutcome } from '../src/index.js';

describe('applyFireOutcome', () => {
  // Each case: state, failures, outcome, after_consecutive_failures, then the expected transition.
  const cases: Array<[AlertState, number, FireOutcome, number, AlertTransition]> = [
    ['OK', 0, 'SUCCESS', 3, { status: { state: 'OK', failures: 0 }, event: null }],
    ['OK', 0, 'FAILURE', 3, { status: { state: 'OK', failures: 1 }, event: null }],
    ['OK', 1, 'FAILURE', 3, { status: { state: 'OK', failures: 2 }, event: null }],
    ['OK', 2, 'FAILURE', 3, { status: { state: 'FAILING', failures: 3 }, event: 'schedule.failing' }],
    ['OK', 0, 'FAILURE', 1, { status: { state: 'FAILING', failures: 1 }, event: 'schedule.failing' }],
    ['FAILING', 3, 'FAILURE', 3, { status: { state: 'FAILING', failures: 4 }, event: null }],
    ['FAILING', 4, 'SUCCESS', 3, { status: { state: 'OK', failures: 0 }, event: 'schedule.recovered' }],
    ['OK', 2, 'SUCCESS', 3, { status: { state: 'OK', failures: 0 }, event: null }],
    ['SILENT', 0, 'SUCCESS', 3, { status: { state: 'OK', failures: 0 }, event: 'schedule.recovered' }],
    ['SILENT', 0, 'FAILURE', 3, { status: { state: 'OK', failures: 1 }, event: 'schedule.recovered' }],
    ['SILENT', 2, 'FAILURE', 3, { status: { state: 'FAILING', failures: 3 }, event: 'schedule.failing' }],
    // Silent after it was failing: the next failure is news again.
    ['SILENT', 5, 'FAILURE', 3, { status: { state: 'FAILING', failures: 6 }, event: 'schedule.failing' }],
    // A threshold lowered by an edit turns the state at the next failure.
    ['OK', 5, 'FAILURE', 3, { status: { state: 'FAILING', failures: 6 }, event: 'schedule.failing' }],
  ];

  it.each(cases)('%s with %i failures, then %s (after %i) gives %j', (state, failures, outcome, after, expected) => {
    expect(applyFireOutcome({ state, failures }, outcome, after)).toEqual(expected);
  });
});

describe('isSilent', () => {
  const alert = alertConfigSchema.parse({ webhook_url: 'http://127.0.0.1:9/hook', silence_after_seconds: 60 });
  const now = Date.parse('2026-12-05T12:00:00Z');

  const cases: Array<[string, Parameters<typeof isSilent>, boolean]> = [
    ['overdue by exactly the silence', [alert, 'OK', new Date(now - 60_000), now], true],
    ['overdue by more', [alert, 'FAILING', new Date(now - 3_600_000), now], true],
    ['overdue by a millisecond less', [alert, 'OK', new Date(now - 59_999), now], false],
    ['planned in the future', [alert, 'OK', new Date(now + 1_000), now], false],
    ['already silent', [alert, 'SILENT', new Date(now - 3_600_000), now], false],
    ['no planned fire', [alert, 'OK', null, now], false],
    ['no silence setting', [{ ...alert, silence_after_seconds: null }, 'OK', new Date(now - 3_600_000), now], false],
    ['no alert', [null, 'OK', new Date(now - 3_600_000), now], false],
  ];

  it.each(cases)('%s: %s', (_name, args, expected) => {
    expect(isSilent(...args)).toBe(expected);
  });
});

describe('alertConfigSchema', () => {
  it('fills in the defaults', () => {
    expect(alertConfigSchema.parse({ webhook_url: 'https://hooks.example.test/T0/B0/x' })).toEqual({
      webhook_url: 'https://hooks.example.test/T0/B0/x',
      format: 'json',
      after_consecutive_failures: 3,
      silence_after_seconds: null,
    });
  });

  it('defaults a schedule to no alert', () => {
    const parsed = createScheduleInput.parse({ target_id: 't', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } });
    expect(parsed.alert).toBeNull();
  });

  const invalid: Array<[unknown, string]> = [
    [{}, 'webhook_url is required'],
    [{ webhook_url: ['http://127.0.0.1/hook'] }, 'webhook_url must be a string'],
    [{ webhook_url: '' }, 'URL is required'],
    [{ webhook_url: 'http://user:pw@127.0.0.1/hook' }, 'Credentials in the URL are not allowed'],
    [{ webhook_url: 'http://127.0.0.1/hook', after_consecutive_failures: 1_001 }, 'after_consecutive_failures must be at most 1000'],
    [{ webhook_url: 'http://127.0.0.1/hook', silence_after_seconds: 0 }, 'silence_after_seconds must be at least 1'],
    [{ webhook_url: 'http://127.0.0.1/hook', silence_after_seconds: 31_622_401 }, 'silence_after_seconds must be at most 31622400 (366 days)'],
    [{ webhook_url: 'http://127.0.0.1/hook', format: 'teams' }, 'format must be one of json, slack'],
    [[], 'alert must be an object or null'],
  ];

  it.each(invalid)('rejects %j: %s', (value, message) => {
    const result = alertConfigSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message).join('; ')).toContain(message);
  });
});
