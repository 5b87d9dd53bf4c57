import { describe, expect, it } from 'vitest';

import { firstIdAt, isId, newId } from '../src/index.js';

const uuidV7Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('has the UUID version 7 layout', () => {
    for (let k = 0; k < 100; k += 1) {
      expect(newId(Date.parse('2026-01-15T12:00:00.000Z'))).toMatch(uuidV7Pattern);
    }
  });

  it.each([
    ['2026-01-15T12:00:00.000Z', '019bc186-de00'],
    ['1970-01-01T00:00:00.000Z', '00000000-0000'],
    ['1970-01-01T00:00:00.001Z', '00000000-0001'],
    ['1970-01-01T00:00:00.256Z', '00000000-0100'],
  ])('at %s starts with the 48-bit millisecond timestamp %s', (instant, prefix) => {
    expect(newId(Date.parse(instant)).slice(0, 13)).toBe(prefix);
  });

  it('sorts ids created later after earlier ones', () => {
    const start = Date.parse('2026-01-15T12:00:00.000Z');
    const steps = [0, 1, 2, 255, 256, 1_000, 65_536, 86_400_000, 365 * 86_400_000];
    const ids = steps.map((step) => newId(start + step));

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(steps.length);
  });

  it('is unique over 10,000 calls', () => {
    const ids = new Set<string>();
    for (let k = 0; k < 10_000; k += 1) ids.add(newId(Date.parse('2026-01-15T12:00:00.000Z')));

    expect(ids.size).toBe(10_000);
  });
});

describe('isId', () => {
  it.each([
    [newId(0), true],
    ['019bc186-de00-7abc-8def-0123456789ab', true],
    ['00000000-0000-0000-0000-000000000000', true],
    ['019bc1c2e4007abc8def0123456789ab', false],
    ['019bc186-de00-7abc-8def-0123456789a', false],
    ['not-an-id', false],
    ['', false],
  ])('%j is %s', (value, expected) => {
    expect(isId(value)).toBe(expected);
  });
});

describe('newId within one millisecond', () => {
  it('sorts in creation order', () => {
    const instant = Date.parse('2027-03-01T08:00:00.000Z');
    const ids = Array.from({ length: 5_000 }, () => newId(instant));

    expect([...ids].sort()).toEqual(ids);
  });

  it('continues the sequence after a small clock step back', () => {
    const later = newId(Date.parse('2027-03-02T08:00:01.000Z'));
    const afterStepBack = newId(Date.parse('2027-03-02T08:00:00.500Z'));

    expect(afterStepBack > later).toBe(true);
  });
});

describe('firstIdAt', () => {
  it('sorts between ids of adjacent milliseconds', () => {
    const ms = Date.parse('2031-06-01T00:00:00.000Z');
    const floor = firstIdAt(ms);

    expect(newId(ms - 20_000) < floor).toBe(true);
    expect(newId(ms) > floor).toBe(true);
    expect(newId(ms + 1) > floor).toBe(true);
    expect(firstIdAt(ms + 1) > floor).toBe(true);
  });
});
