import { describe, expect, it } from 'vitest';

import { ALLOW_PRIVATE_POLICY, DENY_PRIVATE_POLICY, checkAddress, parseTargetAllowlist } from '../src/index.js';
import type { AddressPolicy } from '../src/index.js';

const allowing = (allowlist: string): AddressPolicy => ({ allowPrivate: false, allowlist: parseTargetAllowlist(allowlist) });

// Pure decisions: nothing here opens a connection.
describe('checkAddress', () => {
  it('allows a public address under the default policy', () => {
    expect(checkAddress(DENY_PRIVATE_POLICY, { host: 'example.com', port: 443, address: '93.184.215.14' })).toEqual({ allowed: true });
  });

  it('denies loopback by default and names the settings', () => {
    const decision = checkAddress(DENY_PRIVATE_POLICY, { host: 'localhost', port: 8080, address: '127.0.0.1' });

    expect(decision).toEqual({
      allowed: false,
      kind: 'loopback',
      address: '127.0.0.1',
      message:
        'Blocked address 127.0.0.1 (loopback) for localhost:8080: loopback and private addresses are denied by default. To allow it, set SCHEDULER_ALLOW_PRIVATE_TARGETS=true or add "localhost:8080" to SCHEDULER_TARGET_ALLOWLIST',
    });
  });

  it('shows the IPv4 address inside a mapped IPv6 one', () => {
    const decision = checkAddress(DENY_PRIVATE_POLICY, { host: '::ffff:10.0.0.1', port: 80, address: '::ffff:10.0.0.1' });

    expect(decision.allowed).toBe(false);
    expect(decision.allowed || decision.message).toContain('Blocked address ::ffff:a00:1 (10.0.0.1) (private network) for [::ffff:10.0.0.1]:80');
  });

  it.each(['127.0.0.1', '10.1.2.3', '192.168.0.10', '::1', 'fd00::1', '0.0.0.0'])('allows %s with private targets allowed', (address) => {
    expect(checkAddress(ALLOW_PRIVATE_POLICY, { host: 'internal', port: 80, address })).toEqual({ allowed: true });
  });

  it.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('denies %s (%s) even with private targets and the allowlist', (address, kind) => {
    const policy: AddressPolicy = { allowPrivate: true, allowlist: parseTargetAllowlist(`${address.includes(':') ? `[${address}]` : address}, metadata.internal, 0.0.0.0/0, ::/0`) };
    const decision = checkAddress(policy, { host: 'metadata.internal', port: 80, address });

    expect(decision.allowed).toBe(false);
    expect(decision.allowed || decision.kind).toBe(kind);
    expect(decision.allowed || decision.message).toContain('always denied, and no setting allows them');
  });

  it('denies input that is not an IP address', () => {
    expect(checkAddress(ALLOW_PRIVATE_POLICY, { host: 'a', port: 80, address: 'localhost' }).allowed).toBe(false);
  });
});

describe('checkAddress with an allowlist', () => {
  it.each([
    // [allowlist, host, port, address, allowed]
    ['localhost:8080', 'localhost', 8080, '127.0.0.1', true],
    ['localhost:8080', 'LOCALHOST.', 8080, '::1', true],
    ['localhost:8080', 'localhost', 8081, '127.0.0.1', false],
    ['localhost', 'localhost', 9999, '127.0.0.1', true],
    ['hooks.internal', 'other.internal', 80, '10.0.0.5', false],
    ['10.0.0.0/8', 'anything.internal', 443, '10.200.0.1', true],
    ['10.0.0.0/8', 'anything.internal', 443, '::ffff:10.200.0.1', true],
    ['10.0.0.0/8', 'anything.internal', 443, '192.168.0.1', false],
    ['127.0.0.1:9000', '127.0.0.1', 9000, '127.0.0.1', true],
    ['127.0.0.1:9000', '127.0.0.1', 9001, '127.0.0.1', false],
    ['[::1]:9000', '::1', 9000, '::1', true],
    ['::1', '::1', 1234, '::1', true],
    ['fd00::/8', 'svc', 80, 'fd12::1', true],
    ['fd00::/8', 'svc', 80, 'fc00::1', false],
  ] as const)('%s with %s:%d at %s allowed=%s', (allowlist, host, port, address, allowed) => {
    expect(checkAddress(allowing(allowlist), { host, port, address }).allowed).toBe(allowed);
  });
});

describe('parseTargetAllowlist', () => {
  it('parses every entry form', () => {
    const entries = parseTargetAllowlist(' hooks.internal , localhost:8080,10.0.0.0/8,[::1]:9000,fd00::/8,192.168.1.5 ,, ');

    expect(entries.map((entry) => [entry.text, entry.host, entry.prefixLength, entry.port])).toEqual([
      ['hooks.internal', 'hooks.internal', 0, null],
      ['localhost:8080', 'localhost', 0, 8080],
      ['10.0.0.0/8', null, 8, null],
      ['[::1]:9000', null, 128, 9000],
      ['fd00::/8', null, 8, null],
      ['192.168.1.5', null, 32, null],
    ]);
  });

  it.each([
    ['10.0.0.0/33', 'the prefix length must be a whole number from 0 to 32'],
    ['fd00::/129', 'the prefix length must be a whole number from 0 to 128'],
    ['host.example/8', 'the part before "/" is not an IP address'],
    ['localhost:0', 'the port must be a whole number from 1 to 65535'],
    ['localhost:http', 'the port must be a whole number from 1 to 65535'],
    ['[127.0.0.1]:80', 'the part in brackets is not an IPv6 address'],
    ['user@localhost', 'the host name may contain only letters, digits, "-", "_" and dots'],
  ])('rejects %s', (entry, reason) => {
    expect(() => parseTargetAllowlist(entry)).toThrow(`Invalid allowlist entry "${entry}": ${reason}.`);
  });
});
