import { describe, expect, it } from 'vitest';

import { INVALID_CURSOR_MESSAGE, encodePageCursor, listRunsInput, newId, pageInput } from '../src/index.js';

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

  it.each([
    [{ limit: '0' }, 'limit', 'limit must be at least 1'],
    [{ limit: '1001' }, 'limit', 'limit must be at most 1000'],
    [{ limit: '1e20' }, 'limit', 'limit must be at most 1000'],
    [{ limit: '2.5' }, 'limit', 'limit must be a whole number'],
    [{ limit: 'abc' }, 'limit', 'limit must be a number'],
    [{ cursor: '' }, 'cursor', 'cursor may not be empty'],
    [{ cursor: 'c'.repeat(201) }, 'cursor', 'cursor is longer than 200 characters'],
    [{ schedule_id: '' }, 'schedule_id', 'schedule_id may not be empty'],
    [{ status: 'DONE' }, 'status', 'status must be one of RUNNING, SUCCESS, FAILURE, SKIPPED'],
  ])('reports %j with the one message %j', (input, field, message) => {
    const result = listRunsInput.safeParse(input);

    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual([field]);
    expect(result.error!.issues[0]!.message).toBe(message);
  });

  it.each([['since'], ['until']])('rejects an impossible date in %s', (field) => {
    for (const value of ['2026-02-30T00:00:00Z', '2027-02-29', '2026-04-31T12:00:00+02:00', '2026-01-01T24:00:00Z']) {
      const result = listRunsInput.safeParse({ [field]: value });

      expect(result.success, value).toBe(false);
      expect(result.error!.issues[0]!.path, value).toEqual([field]);
      expect(result.error!.issues[0]!.message, value).toBe(`${field} must be an ISO 8601 time, such as 2026-05-01T09:00:00Z`);
    }
  });

  it('reads since as UTC without an offset and keeps Dates', () => {
    const at = new Date('2026-03-01T10:00:00.000Z');

    expect(listRunsInput.parse({ since: '2028-02-29T09:30', until: at })).toEqual({
      limit: 50,
      since: new Date('2028-02-29T09:30:00.000Z'),
      until: at,
    });
  });

  it('accepts the largest page', () => {
    expect(listRunsInput.parse({ limit: 1000 }).limit).toBe(1000);
  });
});

describe('pageInput', () => {
  it('defaults limit, keeps cursor', () => {
    const cursor = encodePageCursor(newId());

    expect(pageInput.parse({})).toEqual({ limit: 50 });
    expect(pageInput.parse({ limit: '5', cursor })).toEqual({ limit: 5, cursor });
  });

  it('rejects a cursor that no page returned', () => {
    const result = pageInput.safeParse({ cursor: 'abc' });

    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual(['cursor']);
    expect(result.error!.issues[0]!.message).toBe(INVALID_CURSOR_MESSAGE);
    expect(INVALID_CURSOR_MESSAGE).toContain('X-Next-Cursor');
  });

  it('rejects an unknown key', () => {
    expect(pageInput.safeParse({ offset: 10 }).success).toBe(false);
  });
});
