import { describe, expect, it } from 'vitest';

import { TimeExpressionError, parseTimeExpression } from '../src/index.js';

// Every "now" in this file is this fixed instant, never the wall clock.
const now = Date.parse('2026-01-15T12:00:00.000Z');

function parseToIso(input: string, timezone = 'UTC'): string {
  return new Date(parseTimeExpression(input, { now, timezone })).toISOString();
}

describe('parseTimeExpression relative to now', () => {
  it.each([
    ['now', '2026-01-15T12:00:00.000Z'],
    ['NOW', '2026-01-15T12:00:00.000Z'],
    ['  now  ', '2026-01-15T12:00:00.000Z'],
    ['now + 1 second', '2026-01-15T12:00:01.000Z'],
    ['now + 90 seconds', '2026-01-15T12:01:30.000Z'],
    ['now + 5 minutes', '2026-01-15T12:05:00.000Z'],
    ['now + 1 minute', '2026-01-15T12:01:00.000Z'],
    ['now+2 hours', '2026-01-15T14:00:00.000Z'],
    ['now +2hours', '2026-01-15T14:00:00.000Z'],
    ['NOW + 3 days', '2026-01-18T12:00:00.000Z'],
    ['Now + 1 Day', '2026-01-16T12:00:00.000Z'],
    ['now - 1 hour', '2026-01-15T11:00:00.000Z'],
    ['now - 2 days', '2026-01-13T12:00:00.000Z'],
    ['now + 0 minutes', '2026-01-15T12:00:00.000Z'],
  ])('%j is %s', (input, expected) => {
    expect(parseToIso(input)).toBe(expected);
  });

  it('relative times ignore the time zone', () => {
    expect(parseToIso('now + 5 minutes', 'America/New_York')).toBe('2026-01-15T12:05:00.000Z');
    expect(parseToIso('now', 'Asia/Kolkata')).toBe('2026-01-15T12:00:00.000Z');
  });
});

describe('parseTimeExpression ISO 8601 with offset', () => {
  it.each([
    ['2026-05-01T09:00:00Z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01T09:00Z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01 09:00:00Z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01t09:00:00z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01T09:00:00+02:00', '2026-05-01T07:00:00.000Z'],
    ['2026-05-01T09:00:00+0200', '2026-05-01T07:00:00.000Z'],
    ['2026-05-01T09:00:00+02', '2026-05-01T07:00:00.000Z'],
    ['2026-05-01T09:00:00-0530', '2026-05-01T14:30:00.000Z'],
    ['2026-05-01T09:00:00-05:30', '2026-05-01T14:30:00.000Z'],
    ['2026-05-01T09:00:00+05:45', '2026-05-01T03:15:00.000Z'],
    ['2026-05-01T01:00:00+02:00', '2026-04-30T23:00:00.000Z'],
    ['2026-05-01T09:00:00+18:00', '2026-04-30T15:00:00.000Z'],
    ['2026-05-01T09:00:00-18:00', '2026-05-02T03:00:00.000Z'],
    ['2026-05-01T09:00:00.123Z', '2026-05-01T09:00:00.123Z'],
    ['2026-05-01T09:00:00.5Z', '2026-05-01T09:00:00.500Z'],
    ['2026-05-01T09:00:00.123456789Z', '2026-05-01T09:00:00.123Z'],
    ['2026-05-01T09:00:00.999+01:00', '2026-05-01T08:00:00.999Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('%s is %s', (input, expected) => {
    expect(parseToIso(input)).toBe(expected);
  });

  it('an explicit offset wins over the time zone', () => {
    expect(parseToIso('2026-05-01T09:00:00Z', 'Europe/Berlin')).toBe('2026-05-01T09:00:00.000Z');
    expect(parseToIso('2026-05-01T09:00:00+02:00', 'America/New_York')).toBe('2026-05-01T07:00:00.000Z');
  });
});

describe('parseTimeExpression naive ISO 8601 in the time zone', () => {
  it.each([
    ['2026-05-01T09:00:00', 'UTC', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01', 'UTC', '2026-05-01T00:00:00.000Z'],
    ['2026-05-01T09:00:00.250', 'UTC', '2026-05-01T09:00:00.250Z'],
    ['0099-12-31T00:00', 'UTC', '0099-12-31T00:00:00.000Z'],
    // Berlin is UTC+01:00 in winter (CET) and UTC+02:00 in summer (CEST).
    ['2026-01-15T09:00', 'Europe/Berlin', '2026-01-15T08:00:00.000Z'],
    ['2026-07-15T09:00', 'Europe/Berlin', '2026-07-15T07:00:00.000Z'],
    ['2026-01-01', 'Europe/Berlin', '2025-12-31T23:00:00.000Z'],
    // New York is UTC-05:00 in winter (EST) and UTC-04:00 in summer (EDT).
    ['2026-01-15T09:00', 'America/New_York', '2026-01-15T14:00:00.000Z'],
    ['2026-07-15T09:00', 'America/New_York', '2026-07-15T13:00:00.000Z'],
    ['2026-01-15T09:00', 'Asia/Kolkata', '2026-01-15T03:30:00.000Z'],
  ])('%s in %s is %s', (input, timezone, expected) => {
    expect(parseToIso(input, timezone)).toBe(expected);
  });

  // Europe/Berlin springs forward on 2026-03-29 at 02:00 CET (01:00Z) to
  // 03:00 CEST, so 02:00–02:59 local does not exist that night. A time in the
  // gap moves forward by the gap length: 02:30 becomes 03:30 CEST, 01:30Z.
  it.each([
    ['2026-03-29T01:59:59', 'Europe/Berlin', '2026-03-29T00:59:59.000Z'],
    ['2026-03-29T02:00', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['2026-03-29T02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    ['2026-03-29T02:59:59.999', 'Europe/Berlin', '2026-03-29T01:59:59.999Z'],
    ['2026-03-29T03:00', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'],
    ['2026-03-29T03:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    // New York springs forward on 2026-03-08 at 02:00 EST (07:00Z).
    ['2026-03-08T02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    // Lord Howe Island moves by 30 minutes: 02:00 +10:30 becomes 02:30 +11:00.
    ['2026-10-04T02:15', 'Australia/Lord_Howe', '2026-10-03T15:45:00.000Z'],
    ['2026-10-04T02:30', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
  ])('%s in the spring-forward gap of %s is %s', (input, timezone, expected) => {
    expect(parseToIso(input, timezone)).toBe(expected);
  });

  // Europe/Berlin falls back on 2026-10-25 at 03:00 CEST (01:00Z) to 02:00
  // CET, so 02:00–02:59 local happens twice. The earlier instant (CEST) wins.
  it.each([
    ['2026-10-25T01:59:59', 'Europe/Berlin', '2026-10-24T23:59:59.000Z'],
    ['2026-10-25T02:00', 'Europe/Berlin', '2026-10-25T00:00:00.000Z'],
    ['2026-10-25T02:30', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['2026-10-25T03:00', 'Europe/Berlin', '2026-10-25T02:00:00.000Z'],
    // New York falls back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST.
    ['2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
  ])('%s in the repeated hour of %s is %s', (input, timezone, expected) => {
    expect(parseToIso(input, timezone)).toBe(expected);
  });
});

describe('parseTimeExpression rejects', () => {
  it.each([
    ['tomorrow'],
    ['now + 5 weeks'],
    ['now + 1 month'],
    ['now + 1.5 hours'],
    ['now + hour'],
    ['now +'],
    ['now * 2'],
    ['+ 1 hour'],
    ['now + -1 hour'],
    ['2026-13-01'],
    ['2026-00-10'],
    ['2026-01-00'],
    ['2026-02-30T10:00'],
    ['2026-02-29'],
    ['2026-04-31'],
    ['2026-01-01T25:00'],
    ['2026-01-01T24:00'],
    ['2026-01-01T10:60'],
    ['2026-01-01T10:00:60'],
    ['2026-01-01T10'],
    ['2026-1-1'],
    ['26-01-01'],
    ['2026-01-01T10:00:00.Z'],
    ['2026-01-01T10:00:00.1234567890Z'],
    ['2026-01-01T10:00:00+18:01'],
    ['2026-01-01T10:00:00-18:30'],
    ['2026-01-01T10:00:00+19:00'],
    ['2026-01-01T10:00:00+2400'],
    ['2026-01-01T10:00:00+05:75'],
    ['2026-01-01T10:00:00 UTC'],
    ['1767225600000'],
    ['now + 999999999 days'],
    ['now - 999999999 days'],
    [''],
    ['   '],
  ])('%j', (input) => {
    expect(() => parseTimeExpression(input, { now, timezone: 'UTC' })).toThrow(TimeExpressionError);
  });

  it('message names input and forms', () => {
    expect(() => parseTimeExpression('tomorrow', { now, timezone: 'UTC' })).toThrow(
      'Invalid time "tomorrow": use ISO 8601 (2026-05-01T09:00:00Z, or without an offset to read it in the schedule\'s time zone), "now", or "now + N seconds|minutes|hours|days"',
    );
  });

  it('keeps the rejected input on the error', () => {
    let caught: unknown;
    try {
      parseTimeExpression('now + 5 weeks', { now, timezone: 'UTC' });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(TimeExpressionError);
    expect((caught as TimeExpressionError).input).toBe('now + 5 weeks');
    expect((caught as TimeExpressionError).name).toBe('TimeExpressionError');
  });
});
