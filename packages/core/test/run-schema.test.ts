import { describe, expect, it } from 'vitest';

import { listRunsInput, pageInput } from '../src/index.js';

describe('listRunsInput', () => {
  it('defaults the page size to 50', () => {
    expect(listRunsInput.parse({})).toEqual({ limit: 50 });
  });

  it('coerces query-string values', () => {
    expect(listRunsInput.parse({ limit: '10', since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00+01:00', status: 'SUCCESS' })).toEqual({
      limit: 10,
      since: new Date('2026-01-01T00:00:00.000Z'),
      until: new Date('2026-01-01T23:00:00.000Z'),
      status: 'SUCCESS',
    });
  });

  it.each([
    [{ limit: '0' }, ['limit']],
    [{ limit: '1001' }, ['limit']],
    [{ limit: '2.5' }, ['limit']],
    [{ limit: 'abc' }, ['limit']],
    [{ status: 'success' }, ['status']],
    [{ status: 'PENDING' }, ['status']],
    [{ cursor: '' }, ['cursor']],
    [{ cursor: 'c'.repeat(201) }, ['cursor']],
    [{ schedule_id: '' }, ['schedule_id']],
    [{ order: 'asc' }, []],
  ])('rejects %j', (input, path) => {
    const result = listRunsInput.safeParse(input);

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(path);
  });

  it.each([['since'], ['until']])('rejects unreadable %s', (field) => {
    const result = listRunsInput.safeParse({ [field]: 'yesterday-ish' });

    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual([field]);
    expect(result.error!.issues[0]!.message).toBe(`${field} must be an ISO 8601 time, such as 2026-05-01T09:00:00Z`);
  });

  it('accepts the largest page', () => {
    expect(listRunsInput.parse({ limit: 1000 }).limit).toBe(1000);
  });
});

describe('pageInput', () => {
  it('defaults limit, keeps cursor', () => {
    expect(pageInput.parse({})).toEqual({ limit: 50 });
    expect(pageInput.parse({ limit: '5', cursor: 'abc' })).toEqual({ limit: 5, cursor: 'abc' });
  });

  it('rejects an unknown key', () => {
    expect(pageInput.safeParse({ offset: 10 }).success).toBe(false);
  });
});
