import { describe, expect, it } from 'vitest';

import { metricsFormatOf } from '../src/metrics/exposition-format.js';

describe('metricsFormatOf', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/json, text/plain, */*', 'json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
    ['text/plain;version=0.0.4', 'prometheus'],
    ['TEXT/PLAIN; version=0.0.4; q=1', 'prometheus'],
    ['text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'prometheus'],
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['application/json;q=0.2, text/plain;q=0.8', 'prometheus'],
    ['text/plain;q=0, application/json', 'json'],
    ['text/plain;q=abc', 'json'],
  ] as const)('Accept %j selects %s', (accept, expected) => {
    expect(metricsFormatOf(accept)).toBe(expected);
  });
});
