import { randomBytes } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DENY_PRIVATE_POLICY, parseTargetAllowlist } from '@api-scheduler/core';
import { SecretCipher } from '@api-scheduler/engine';

import { createCaller } from '../src/index.js';
import { createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let context: TestContext;
let cipher: SecretCipher;
let caller: ReturnType<typeof createCaller>;

beforeEach(async () => {
  context = await createTestContext();
  cipher = new SecretCipher(randomBytes(32));
  caller = createCaller({ ...context.ctx, secretCipher: cipher, addressPolicy: DENY_PRIVATE_POLICY });
});

afterEach(async () => {
  await context.close();
});

describe('targets with secrets', () => {
  it('stores secret headers and the signing secret encrypted, and returns them masked', async () => {
    const created = await caller.targets.create({
      url: 'https://hooks.example.com/in',
      headers: { Authorization: 'Bearer abc', Cookie: 'sid=1', 'X-Trace': 'visible' },
      signing_secret: '0123456789abcdef0123',
    });
    const stored = (await context.store.getTarget(created.id))!;

    expect(created.headers).toEqual({ Authorization: '***', Cookie: '***', 'X-Trace': 'visible' });
    expect(created.signed).toBe(true);
    expect(created).not.toHaveProperty('signing_secret');
    expect(stored.headers['X-Trace']).toBe('visible');
    expect(cipher.decrypt(stored.headers['Authorization']!)).toBe('Bearer abc');
    expect(cipher.decrypt(stored.headers['Cookie']!)).toBe('sid=1');
    expect(stored.signing_secret).toMatch(/^enc:v1:/);
    expect(cipher.decrypt(stored.signing_secret!)).toBe('0123456789abcdef0123');

    const listed = await caller.targets.list({});
    expect(listed.items[0]!.headers).toEqual({ Authorization: '***', Cookie: '***', 'X-Trace': 'visible' });
    expect((await caller.targets.get({ id: created.id })).headers).toEqual(created.headers);
  });

  it('keeps a secret sent back masked and encrypts a new one', async () => {
    const created = await caller.targets.create({ url: 'https://hooks.example.com/in', headers: { Authorization: 'Bearer old', 'X-Api-Key': 'k1' } });
    const before = (await context.store.getTarget(created.id))!;

    await caller.targets.update({ id: created.id, headers: { Authorization: '***', 'X-Api-Key': 'k2' } });
    const after = (await context.store.getTarget(created.id))!;

    expect(after.headers['Authorization']).toBe(before.headers['Authorization']);
    expect(cipher.decrypt(after.headers['X-Api-Key']!)).toBe('k2');
    expect(after.headers['X-Api-Key']).toMatch(/^enc:v1:/);
  });

  it('stops signing when signing_secret is set to null', async () => {
    const created = await caller.targets.create({ url: 'https://hooks.example.com/in', signing_secret: '0123456789abcdef0123' });
    const updated = await caller.targets.update({ id: created.id, signing_secret: null });

    expect(updated.signed).toBe(false);
    expect((await context.store.getTarget(created.id))!.signing_secret).toBeNull();
  });

  it('stores values plain without a cipher', async () => {
    const plain = createCaller(context.ctx);
    const created = await plain.targets.create({ url: 'https://hooks.example.com/in', headers: { Authorization: 'Bearer abc' } });

    expect((await context.store.getTarget(created.id))!.headers['Authorization']).toBe('Bearer abc');
    expect(created.headers['Authorization']).toBe('***');
    expect(created.signed).toBe(false);
  });
});

describe('targets with the address policy', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'Blocked address 127.0.0.1 (loopback) for 127.0.0.1:8080: loopback and private addresses are denied by default'],
    ['http://[::1]/hook', 'Blocked address ::1 (loopback) for [::1]:80'],
    ['https://10.0.0.5/hook', 'Blocked address 10.0.0.5 (private network) for 10.0.0.5:443'],
    ['http://169.254.169.254/latest', 'Blocked address 169.254.169.254 (cloud metadata endpoint) for 169.254.169.254:80: link-local, cloud metadata'],
    ['http://2130706433/', 'Blocked address 127.0.0.1 (loopback) for 127.0.0.1:80'],
  ])('rejects %s on create', async (url, message) => {
    const rejected = caller.targets.create({ url });

    await expect(rejected).rejects.toMatchObject({ code: 'UNPROCESSABLE_CONTENT' });
    await expect(rejected).rejects.toThrow(message);
  });

  it('rejects a blocked literal on update', async () => {
    const created = await caller.targets.create({ url: 'https://hooks.example.com/in' });

    await expect(caller.targets.update({ id: created.id, url: 'http://192.168.1.1/' })).rejects.toThrow('Blocked address 192.168.1.1 (private network)');
  });

  it('leaves host names to the engine and allows allow-listed literals', async () => {
    const allowing = createCaller({ ...context.ctx, addressPolicy: { allowPrivate: false, allowlist: parseTargetAllowlist('127.0.0.1:8080') } });

    await expect(caller.targets.create({ url: 'http://localhost:8080/hook' })).resolves.toMatchObject({ url: 'http://localhost:8080/hook' });
    await expect(allowing.targets.create({ url: 'http://127.0.0.1:8080/hook' })).resolves.toMatchObject({ signed: false });
    await expect(allowing.targets.create({ url: 'http://127.0.0.1:8081/hook' })).rejects.toThrow('Blocked address');
  });
});
