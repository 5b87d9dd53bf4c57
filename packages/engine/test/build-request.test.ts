import { createHmac, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { Target } from '@api-scheduler/core';

import { SIGNATURE_HEADER, SecretCipher, TIMESTAMP_HEADER, buildRequestSpec, describeRequest, sealHeaders, sealSigningSecret, signatureOf } from '../src/index.js';

const target: Target = {
  id: 't1',
  name: 'hook',
  url: 'http://127.0.0.1:9/hook',
  method: 'POST',
  headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' },
  body_template: '{"a":1}',
  timeout_ms: 1_000,
  signing_secret: null,
  created_at: new Date(0),
  updated_at: new Date(0),
};
const run = { schedule_id: 's1', scheduled_for: new Date(60_000) };
const nowMs = 1_700_000_000_123;

describe('buildRequestSpec', () => {
  it('decrypts sealed headers and leaves others alone', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const stored = { ...target, headers: sealHeaders(target.headers, cipher) };
    const spec = buildRequestSpec(stored, run, { cipher, nowMs });

    expect(stored.headers['Authorization']).toMatch(/^enc:v1:/);
    expect(stored.headers['Content-Type']).toBe('application/json');
    expect(spec.headers).toEqual({ Authorization: 'Bearer abc', 'Content-Type': 'application/json', 'Idempotency-Key': 's1:60000' });
  });

  it('signs the timestamp and body', () => {
    const cipher = new SecretCipher(randomBytes(32));
    const stored = { ...target, signing_secret: sealSigningSecret('0123456789abcdef', cipher) };
    const spec = buildRequestSpec(stored, run, { cipher, nowMs });

    expect(spec.headers[TIMESTAMP_HEADER]).toBe('1700000000');
    const expected = createHmac('sha256', '0123456789abcdef').update('1700000000.{"a":1}').digest('hex');
    expect(spec.headers[SIGNATURE_HEADER]).toBe(`v1=${expected}`);
  });

  it('signs an empty body for GET', () => {
    const spec = buildRequestSpec({ ...target, method: 'GET', body_template: null, signing_secret: '0123456789abcdef' }, run, { cipher: null, nowMs });

    expect(spec.headers[SIGNATURE_HEADER]).toBe(signatureOf('0123456789abcdef', '1700000000', ''));
  });

  it('adds no signature headers without a secret', () => {
    const spec = buildRequestSpec(target, run, { cipher: null, nowMs });

    expect(spec.headers).not.toHaveProperty(SIGNATURE_HEADER);
    expect(spec.headers).not.toHaveProperty(TIMESTAMP_HEADER);
  });
});

describe('describeRequest', () => {
  it('masks secret headers, encrypted or not', () => {
    const cipher = new SecretCipher(randomBytes(32));

    expect(describeRequest({ ...target, headers: sealHeaders(target.headers, cipher) }).headers).toEqual({ Authorization: '***', 'Content-Type': 'application/json' });
  });
});
