import { describe, expect, it } from 'vitest';

import { ConflictError, DomainError, NotFoundError, ValidationError } from '../src/index.js';

describe('domain errors', () => {
  it.each([
    ['target', 'Target abc was not found'],
    ['schedule', 'Schedule abc was not found'],
    ['run', 'Run abc was not found'],
  ] as const)('NotFoundError for a %s', (entity, message) => {
    const error = new NotFoundError(entity, 'abc');

    expect(error).toBeInstanceOf(DomainError);
    expect(error.message).toBe(message);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.name).toBe('NotFoundError');
    expect(error.entity).toBe(entity);
    expect(error.id).toBe('abc');
  });

  it('ConflictError keeps its message', () => {
    const error = new ConflictError('Target t1 is used by schedules s1, s2');

    expect(error).toBeInstanceOf(DomainError);
    expect(error.message).toBe('Target t1 is used by schedules s1, s2');
    expect(error.code).toBe('CONFLICT');
    expect(error.name).toBe('ConflictError');
  });

  it('ValidationError joins its issue messages', () => {
    const issues = [
      { loc: ['schedule_config', 'interval_seconds'], msg: 'interval_seconds must be at least 1', type: 'too_small' },
      { loc: ['timezone'], msg: 'Unknown time zone "X"', type: 'timezone_error' },
    ];
    const error = new ValidationError(issues);

    expect(error.message).toBe('interval_seconds must be at least 1; Unknown time zone "X"');
    expect(error.issues).toEqual(issues);
    expect(error.code).toBe('VALIDATION');
    expect(error.name).toBe('ValidationError');
  });

  it('ValidationError.at builds one issue', () => {
    expect(ValidationError.at(['name'], 'Name may not be empty').issues).toEqual([{ loc: ['name'], msg: 'Name may not be empty', type: 'value_error' }]);
    expect(ValidationError.at(['timezone'], 'bad', 'timezone_error').issues[0]!.type).toBe('timezone_error');
  });
});
