import { describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY, createScheduleInput, retryPolicySchema, updateScheduleInput } from '../src/index.js';

const minimal = { target_id: 'target-1', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } };

describe('createScheduleInput defaults', () => {
  it('fills every optional field', () => {
    expect(createScheduleInput.parse(minimal)).toEqual({
      target_id: 'target-1',
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 60 },
      timezone: 'UTC',
      status: 'ACTIVE',
      retry_policy: {
        max_retries: 3,
        initial_delay_ms: 1_000,
        max_delay_ms: 60_000,
        multiplier: 2,
        jitter: 'full',
        retry_non_idempotent_timeouts: false,
      },
      overlap_policy: 'skip',
      misfire_policy: 'fire_once',
      alert: null,
    });
  });

  it('fills the rest of a partial retry policy', () => {
    const parsed = createScheduleInput.parse({ ...minimal, retry_policy: { max_retries: 5, jitter: 'none' } });

    expect(parsed.retry_policy).toEqual({
      max_retries: 5,
      initial_delay_ms: 1_000,
      max_delay_ms: 60_000,
      multiplier: 2,
      jitter: 'none',
      retry_non_idempotent_timeouts: false,
    });
  });

  it('keeps given fields', () => {
    const parsed = createScheduleInput.parse({
      ...minimal,
      name: 'Every minute',
      timezone: ' Europe/Berlin ',
      status: 'PAUSED',
      overlap_policy: 'queue_one',
      misfire_policy: 'fire_all',
    });

    expect(parsed.name).toBe('Every minute');
    expect(parsed.timezone).toBe('Europe/Berlin');
    expect(parsed.status).toBe('PAUSED');
    expect(parsed.overlap_policy).toBe('queue_one');
    expect(parsed.misfire_policy).toBe('fire_all');
  });

  it('passes schedule_config through for resolveScheduleConfig to check', () => {
    const config = { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 10, anything: true };

    expect(createScheduleInput.parse({ ...minimal, schedule_type: 'WINDOW', schedule_config: config }).schedule_config).toEqual(config);
  });

  it('DEFAULT_RETRY_POLICY matches the schema defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual(retryPolicySchema.parse({}));
    expect(DEFAULT_RETRY_POLICY.max_retries).toBe(3);
  });
});

describe('createScheduleInput rejects', () => {
  it.each([
    ['a lower-case schedule_type', { schedule_type: 'interval' }, ['schedule_type'], 'schedule_type must be one of INTERVAL, WINDOW, CRON, ONCE'],
    ['an unknown schedule_type', { schedule_type: 'DAILY' }, ['schedule_type'], 'schedule_type must be one of INTERVAL, WINDOW, CRON, ONCE'],
    ['an array as schedule_config', { schedule_config: [60] }, ['schedule_config'], 'schedule_config must be an object'],
    ['a string as schedule_config', { schedule_config: 'every minute' }, ['schedule_config'], 'schedule_config must be an object'],
    ['an empty target_id', { target_id: '' }, ['target_id'], 'target_id is required'],
    ['an empty name', { name: '  ' }, ['name'], 'Name may not be empty'],
    ['an empty time zone', { timezone: '' }, ['timezone'], 'timezone may not be empty'],
    ['a time zone of 65 characters', { timezone: 'x'.repeat(65) }, ['timezone'], 'timezone is longer than 64 characters'],
    ['a name of 201 characters', { name: 'n'.repeat(201) }, ['name'], 'Name is longer than 200 characters'],
    ['a name with NUL', { name: 'x\u0000y' }, ['name'], 'Name may not contain the NUL character (U+0000)'],
    ['an unknown overlap_policy', { overlap_policy: 'queue' }, ['overlap_policy'], 'overlap_policy must be one of skip, allow, queue_one'],
    ['an unknown misfire_policy', { misfire_policy: 'ignore' }, ['misfire_policy'], 'misfire_policy must be one of fire_once, fire_all, skip'],
    ['status COMPLETED', { status: 'COMPLETED' }, ['status'], 'status must be ACTIVE or PAUSED'],
    ['a __proto__ key in schedule_config', { schedule_config: JSON.parse('{"interval_seconds": 60, "__proto__": {}}') }, ['schedule_config'], 'Unrecognized key: "__proto__"'],
    ['max_retries 1e20', { retry_policy: { max_retries: 1e20 } }, ['retry_policy', 'max_retries'], 'max_retries must be at most 10'],
    ['max_retries 2.5', { retry_policy: { max_retries: 2.5 } }, ['retry_policy', 'max_retries'], 'max_retries must be a whole number'],
    ['initial_delay_ms -1', { retry_policy: { initial_delay_ms: -1 } }, ['retry_policy', 'initial_delay_ms'], 'initial_delay_ms must be at least 0'],
    ['max_delay_ms "1000"', { retry_policy: { max_delay_ms: '1000' } }, ['retry_policy', 'max_delay_ms'], 'max_delay_ms must be a number of milliseconds'],
    ['multiplier 11', { retry_policy: { multiplier: 11 } }, ['retry_policy', 'multiplier'], 'multiplier must be at most 10'],
    ['jitter "half"', { retry_policy: { jitter: 'half' } }, ['retry_policy', 'jitter'], 'jitter must be one of full, none'],
    ['retry_non_idempotent_timeouts "yes"', { retry_policy: { retry_non_idempotent_timeouts: 'yes' } }, ['retry_policy', 'retry_non_idempotent_timeouts'], 'retry_non_idempotent_timeouts must be true or false'],
    ['retry_policy []', { retry_policy: [] }, ['retry_policy'], 'retry_policy must be an object'],
  ])('%s', (_case, override, path, message) => {
    const result = createScheduleInput.safeParse({ ...minimal, ...override });

    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual(path);
    expect(result.error!.issues[0]!.message).toBe(message);
  });

  it.each([
    ['status COMPLETED', { status: 'COMPLETED' }, ['status']],
    ['overlap_policy "queue"', { overlap_policy: 'queue' }, ['overlap_policy']],
    ['misfire_policy "ignore"', { misfire_policy: 'ignore' }, ['misfire_policy']],
    ['a missing target_id', { target_id: undefined }, ['target_id']],
    ['a missing schedule_config', { schedule_config: undefined }, ['schedule_config']],
    ['an unknown key', { next_run_at: '2026-01-01T00:00:00Z' }, []],
  ])('%s', (_case, override, path) => {
    const result = createScheduleInput.safeParse({ ...minimal, ...override });

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(path);
  });
});

describe('retryPolicySchema', () => {
  it('rejects max_delay_ms below initial_delay_ms', () => {
    const result = retryPolicySchema.safeParse({ initial_delay_ms: 5_000, max_delay_ms: 1_000 });

    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual(['max_delay_ms']);
    expect(result.error!.issues[0]!.message).toBe('max_delay_ms must be at least initial_delay_ms');
  });

  it('rejects a max_delay_ms below the default initial_delay_ms', () => {
    const result = retryPolicySchema.safeParse({ max_delay_ms: 500 });

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['max_delay_ms']);
  });

  it('accepts max_delay_ms equal to initial_delay_ms', () => {
    expect(retryPolicySchema.parse({ initial_delay_ms: 2_000, max_delay_ms: 2_000 })).toMatchObject({
      initial_delay_ms: 2_000,
      max_delay_ms: 2_000,
    });
  });

  it.each([
    ['max_retries', 0],
    ['max_retries', 10],
    ['initial_delay_ms', 0],
    ['multiplier', 1],
    ['multiplier', 1.5],
    ['multiplier', 10],
    ['max_delay_ms', 86_400_000],
  ])('accepts %s = %d', (field, value) => {
    expect(retryPolicySchema.parse({ [field]: value })).toHaveProperty(field, value);
  });

  it.each([
    ['max_retries', -1],
    ['max_retries', 11],
    ['max_retries', 2.5],
    ['initial_delay_ms', -1],
    ['initial_delay_ms', 3_600_001],
    ['max_delay_ms', 86_400_001],
    ['multiplier', 0.5],
    ['multiplier', 11],
    ['jitter', 'half'],
    ['retry_non_idempotent_timeouts', 'yes'],
    ['backoff', 'exponential'],
  ])('rejects %s = %j', (field, value) => {
    const result = retryPolicySchema.safeParse({ [field]: value });

    expect(result.success).toBe(false);
  });
});

describe('updateScheduleInput', () => {
  it('accepts an empty patch without adding defaults', () => {
    expect(updateScheduleInput.parse({})).toEqual({});
  });

  it('validates the fields it is given', () => {
    expect(updateScheduleInput.parse({ misfire_policy: 'skip' })).toEqual({ misfire_policy: 'skip' });
    expect(updateScheduleInput.safeParse({ misfire_policy: 'never' }).success).toBe(false);
    expect(updateScheduleInput.safeParse({ retry_policy: { initial_delay_ms: 10, max_delay_ms: 5 } }).success).toBe(false);
  });
});
