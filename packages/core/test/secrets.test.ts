import { describe, expect, it } from 'vitest';

import { MASK, isSecretHeaderName, maskHeaders } from '../src/index.js';

describe('maskHeaders', () => {
  it.each([
    ['Authorization', 'Bearer abc123'],
    ['authorization', 'Basic dXNlcjpwYXNz'],
    ['Proxy-Authorization', 'Basic dXNlcjpwYXNz'],
    ['Cookie', 'session=abc'],
    ['Set-Cookie', 'session=abc'],
    ['X-Api-Key', 'k-123'],
    ['x-api-key', 'k-123'],
    ['X-Auth-Token', 't-123'],
    ['client_secret', 's-123'],
    ['X-Webhook-Signature', 'sha256=abc'],
    ['X-Password', 'hunter2'],
    ['X-Credentials', 'c-123'],
  ])('masks %s', (name, value) => {
    expect(maskHeaders({ [name]: value })).toEqual({ [name]: MASK });
  });

  it.each([
    ['Content-Type', 'application/json'],
    ['Accept', '*/*'],
    ['User-Agent', 'api-scheduler'],
    ['X-Request-Id', 'r-1'],
    ['Idempotency-Id', 'i-1'],
    ['Idempotency-Key', 'order-42'],
  ])('keeps %s', (name, value) => {
    expect(maskHeaders({ [name]: value })).toEqual({ [name]: value });
  });

  it('masks only secrets in a mixed set', () => {
    const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer abc', 'X-Api-Key': 'k', Accept: 'text/plain' };

    expect(maskHeaders(headers)).toEqual({ 'Content-Type': 'application/json', Authorization: '***', 'X-Api-Key': '***', Accept: 'text/plain' });
  });

  it('leaves its input unchanged', () => {
    const headers = { Authorization: 'Bearer abc' };

    const masked = maskHeaders(headers);

    expect(headers.Authorization).toBe('Bearer abc');
    expect(masked).not.toBe(headers);
  });

  it('returns an empty object for no headers', () => {
    expect(maskHeaders({})).toEqual({});
  });

  it('masks an empty secret value too', () => {
    expect(maskHeaders({ Authorization: '' })).toEqual({ Authorization: '***' });
  });
});

describe('isSecretHeaderName', () => {
  it.each([
    ['Authorization', true],
    ['X-Access-Token', true],
    ['Private-Key', true],
    ['Content-Length', false],
    ['Host', false],
    ['Idempotency-Key', false],
    ['idempotency-key', false],
    ['IDEMPOTENCY-KEY', false],
    ['X-Idempotency-Key', true],
    ['Idempotency-Key-Secret', true],
  ])('%s is %s', (name, expected) => {
    expect(isSecretHeaderName(name)).toBe(expected);
  });
});
