import { describe, expect, it } from 'vitest';

import { parseRetryAfter } from '../../src/executor/index.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  const cases: Array<[string, string | string[] | null | undefined, number | null]> = [
    ['whole seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['seconds with spaces', ' 5 ', 5_000],
    ['IMF-fixdate in the future', 'Sat, 01 Mar 2025 12:00:30 GMT', 30_000],
    ['IMF-fixdate in the past', 'Sat, 01 Mar 2025 11:00:00 GMT', 0],
    ['RFC 850 date', 'Saturday, 01-Mar-25 12:01:00 GMT', 60_000],
    ['asctime date', 'Sat Mar  1 12:00:10 2025', 10_000],
    ['ISO 8601 date', '2025-03-01T12:00:30Z', null],
    ['first of repeated values', ['3', '9'], 3_000],
    ['negative seconds', '-5', null],
    ['fractional seconds', '1.5', null],
    ['number that Date.parse reads as a date', '2.5', null],
    ['garbage', 'soon', null],
    ['empty', '', null],
    ['missing', undefined, null],
    ['null', null, null],
    ['too large to be exact', '9'.repeat(30), null],
  ];

  it.each(cases)('parses %s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
