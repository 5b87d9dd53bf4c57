import { describe, expect, it } from 'vitest';

import { FailureLimiter } from '../src/auth/failure-limiter.js';
import { bearerCredentialOf, originMatchesHost, sessionIdOf } from '../src/auth/request-info.js';
import type { RequestInfo } from '../src/auth/request-info.js';

function request(headers: Record<string, string>): RequestInfo {
  return { headers, remoteAddress: '127.0.0.1', encrypted: false, responseHeaders: {} };
}

describe('bearerCredentialOf', () => {
  it.each([
    [{}, { kind: 'absent' }],
    [{ authorization: '' }, { kind: 'absent' }],
    [{ authorization: 'Bearer sk_abc' }, { kind: 'token', token: 'sk_abc' }],
    [{ Authorization: 'bearer  sk_abc ' }, { kind: 'token', token: 'sk_abc' }],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, { kind: 'malformed' }],
    [{ authorization: 'Bearer' }, { kind: 'malformed' }],
    [{ authorization: 'Bearer a b' }, { kind: 'malformed' }],
  ])('%j gives %j', (headers, expected) => {
    expect(bearerCredentialOf(request(headers))).toEqual(expected);
  });
});

describe('sessionIdOf', () => {
  it.each([
    [{}, null],
    [{ cookie: 'theme=dark' }, null],
    [{ cookie: 'api_scheduler_session=abc' }, 'abc'],
    [{ cookie: 'theme=dark; api_scheduler_session=abc; other=1' }, 'abc'],
    [{ cookie: 'api_scheduler_session=' }, null],
    [{ cookie: 'xapi_scheduler_session=abc' }, null],
  ])('%j gives %j', (headers, expected) => {
    expect(sessionIdOf(request(headers))).toBe(expected);
  });
});

describe('originMatchesHost', () => {
  it.each([
    [{ host: '127.0.0.1:8000' }, true],
    [{ host: '127.0.0.1:8000', origin: 'http://127.0.0.1:8000' }, true],
    [{ host: 'Scheduler.Example:443', origin: 'https://scheduler.example:443' }, true],
    [{ host: '127.0.0.1:8000', origin: 'http://127.0.0.1:9000' }, false],
    [{ host: '127.0.0.1:8000', origin: 'https://attacker.example' }, false],
    [{ host: '127.0.0.1:8000', origin: 'null' }, false],
    [{ origin: 'http://127.0.0.1:8000' }, false],
  ])('%j gives %s', (headers, expected) => {
    expect(originMatchesHost(request(headers))).toBe(expected);
  });
});

describe('FailureLimiter', () => {
  it('blocks after the limit until the window ends', () => {
    const limiter = new FailureLimiter(3, 60_000);

    expect(limiter.recordFailure('a', 0)).toBe(false);
    expect(limiter.recordFailure('a', 1_000)).toBe(false);
    expect(limiter.retryAfterSeconds('a', 1_000)).toBeNull();
    expect(limiter.recordFailure('a', 2_000)).toBe(true);
    expect(limiter.retryAfterSeconds('a', 2_000)).toBe(58);
    expect(limiter.retryAfterSeconds('b', 2_000)).toBeNull();
    expect(limiter.retryAfterSeconds('a', 59_999)).toBe(1);
    expect(limiter.retryAfterSeconds('a', 60_000)).toBeNull();
  });

  it('starts a new window after the old one ends', () => {
    const limiter = new FailureLimiter(2, 10_000);

    limiter.recordFailure('a', 0);
    limiter.recordFailure('a', 10_000);

    expect(limiter.retryAfterSeconds('a', 10_000)).toBeNull();
  });
});
