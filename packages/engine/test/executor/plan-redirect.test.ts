import type { HttpMethod } from '@api-scheduler/core';
import { describe, expect, it } from 'vitest';

import { planRedirect, refusedRedirectReason, type HopRequest } from '../../src/executor/index.js';

function hop(method: HttpMethod, body: string | null = null): HopRequest {
  return {
    url: new URL('http://127.0.0.1:8080/start?x=1'),
    method,
    headers: {
      Authorization: 'Bearer secret',
      Cookie: 'session=1',
      'Content-Type': 'application/json',
      'X-Trace': 'abc',
    },
    body,
  };
}

describe('planRedirect', () => {
  const methodCases: Array<[number, HttpMethod, HttpMethod, boolean]> = [
    [301, 'POST', 'GET', false],
    [302, 'POST', 'GET', false],
    [303, 'POST', 'GET', false],
    [303, 'PUT', 'GET', false],
    [303, 'HEAD', 'HEAD', true],
    [301, 'PUT', 'PUT', true],
    [302, 'DELETE', 'DELETE', true],
    [307, 'POST', 'POST', true],
    [308, 'PATCH', 'PATCH', true],
  ];

  it.each(methodCases)('turns %i after %s into %s', (status, method, expectedMethod, keepsBody) => {
    const next = planRedirect(hop(method, '{"a":1}'), status, '/next');

    expect(next?.method).toBe(expectedMethod);
    expect(next?.body).toBe(keepsBody ? '{"a":1}' : null);
    expect(next?.headers['Content-Type']).toBe(keepsBody ? 'application/json' : undefined);
  });

  it('resolves a relative Location against the current URL', () => {
    expect(planRedirect(hop('GET'), 302, 'next?y=2')?.url.href).toBe('http://127.0.0.1:8080/next?y=2');
  });

  it('keeps credentials on the same origin', () => {
    const next = planRedirect(hop('GET'), 302, 'http://127.0.0.1:8080/other');

    expect(next?.headers.Authorization).toBe('Bearer secret');
    expect(next?.headers.Cookie).toBe('session=1');
  });

  it.each([
    ['another port', 'http://127.0.0.1:8081/other'],
    ['another scheme', 'https://127.0.0.1:8080/other'],
    ['another host', 'http://localhost:8080/other'],
  ])('drops credentials for %s', (_name, location) => {
    const next = planRedirect(hop('GET'), 302, location);

    expect(next?.headers.Authorization).toBeUndefined();
    expect(next?.headers.Cookie).toBeUndefined();
    expect(next?.headers['X-Trace']).toBe('abc');
  });

  it('drops every header named like a secret across origins', () => {
    const start = hop('GET');
    start.headers = { 'x-api-key': 'k', 'X-Session-Token': 't', 'X-Secret': 's', Host: 'old.example', 'Idempotency-Key': 'fire-1' };

    const next = planRedirect(start, 302, 'http://127.0.0.1:8081/other');

    expect(next?.headers).toEqual({ 'Idempotency-Key': 'fire-1' });
  });

  it.each([
    ['a status that is not a redirect', 300, '/next'],
    ['a 304', 304, '/next'],
    ['a missing Location', 302, undefined],
    ['an empty Location', 302, '  '],
    ['an invalid Location', 302, 'http://['],
    ['an ftp Location', 302, 'ftp://127.0.0.1/file'],
    ['a javascript Location', 302, 'javascript:alert(1)'],
    ['credentials in the Location', 302, 'http://user:pass@127.0.0.1:8080/'],
  ])('does not follow %s', (_name, status, location) => {
    expect(planRedirect(hop('GET'), status, location)).toBeNull();
  });

  it.each([
    ['an ftp Location', 'ftp://127.0.0.1/file', 'Redirect 302 to a ftp: URL not followed: only http and https are allowed'],
    ['a file Location', 'file:///etc/passwd', 'Redirect 302 to a file: URL not followed: only http and https are allowed'],
    ['credentials in the Location', 'http://user:pass@127.0.0.1:8080/', 'Redirect 302 to a URL with credentials not followed'],
  ])('explains why it refuses %s', (_name, location, reason) => {
    expect(refusedRedirectReason(hop('GET'), 302, location)).toBe(reason);
  });

  it.each([
    ['a followable Location', 302, '/next'],
    ['a missing Location', 302, undefined],
    ['a status that is not a redirect', 200, 'file:///etc/passwd'],
  ])('refuses nothing for %s', (_name, status, location) => {
    expect(refusedRedirectReason(hop('GET'), status, location)).toBeNull();
  });
});
