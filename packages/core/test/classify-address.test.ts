import { describe, expect, it } from 'vitest';

import { classifyAddress, formatIp, parseIp } from '../src/index.js';

// Every case is a pure classification: nothing here opens a connection.
describe('classifyAddress', () => {
  it.each([
    // metadata endpoints, checked before the ranges that hold them
    ['169.254.169.254', 'metadata', '169.254.169.254'],
    ['169.254.170.2', 'metadata', '169.254.170.2'],
    ['100.100.100.200', 'metadata', '100.100.100.200'],
    ['168.63.129.16', 'metadata', '168.63.129.16'],
    ['fd00:ec2::254', 'metadata', 'fd00:ec2::254'],
    ['FD00:EC2:0:0:0:0:0:254', 'metadata', 'fd00:ec2::254'],
    ['::ffff:169.254.169.254', 'metadata', '169.254.169.254'],
    ['::ffff:a9fe:a9fe', 'metadata', '169.254.169.254'],
    // link-local
    ['169.254.0.1', 'link-local', '169.254.0.1'],
    ['169.254.255.255', 'link-local', '169.254.255.255'],
    ['fe80::1', 'link-local', 'fe80::1'],
    ['fe80::1%eth0', 'link-local', 'fe80::1'],
    ['febf:ffff::1', 'link-local', 'febf:ffff::1'],
    // loopback and unspecified
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['127.255.255.254', 'loopback', '127.255.255.254'],
    ['::1', 'loopback', '::1'],
    ['[::1]', 'loopback', '::1'],
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
    ['::127.0.0.1', 'loopback', '127.0.0.1'],
    ['0.0.0.0', 'unspecified', '0.0.0.0'],
    ['0.1.2.3', 'unspecified', '0.1.2.3'],
    ['::', 'unspecified', '::'],
    // private ranges, with their edges
    ['10.0.0.1', 'private', '10.0.0.1'],
    ['10.255.255.255', 'private', '10.255.255.255'],
    ['172.16.0.1', 'private', '172.16.0.1'],
    ['172.31.255.255', 'private', '172.31.255.255'],
    ['192.168.1.1', 'private', '192.168.1.1'],
    ['100.64.0.1', 'private', '100.64.0.1'],
    ['100.127.255.255', 'private', '100.127.255.255'],
    ['198.18.0.1', 'private', '198.18.0.1'],
    ['fc00::1', 'private', 'fc00::1'],
    ['fd12:3456:789a::1', 'private', 'fd12:3456:789a::1'],
    ['fec0::1', 'private', 'fec0::1'],
    ['::ffff:10.1.2.3', 'private', '10.1.2.3'],
    ['64:ff9b::10.0.0.1', 'private', '10.0.0.1'],
    ['2002:c0a8:101::1', 'private', '192.168.1.1'],
    // multicast and reserved
    ['224.0.0.1', 'multicast', '224.0.0.1'],
    ['239.255.255.250', 'multicast', '239.255.255.250'],
    ['ff02::1', 'multicast', 'ff02::1'],
    ['255.255.255.255', 'reserved', '255.255.255.255'],
    ['240.0.0.1', 'reserved', '240.0.0.1'],
    ['192.0.2.10', 'reserved', '192.0.2.10'],
    ['2001:db8::1', 'reserved', '2001:db8::1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['100::1', 'reserved', '100::1'],
    ['4000::1', 'reserved', '4000::1'],
    // public, including the neighbours of private ranges
    ['8.8.8.8', 'public', '8.8.8.8'],
    ['1.1.1.1', 'public', '1.1.1.1'],
    ['172.15.255.255', 'public', '172.15.255.255'],
    ['172.32.0.0', 'public', '172.32.0.0'],
    ['100.63.255.255', 'public', '100.63.255.255'],
    ['100.128.0.0', 'public', '100.128.0.0'],
    ['169.253.255.255', 'public', '169.253.255.255'],
    ['11.0.0.1', 'public', '11.0.0.1'],
    ['2606:4700:4700::1111', 'public', '2606:4700:4700::1111'],
    ['::ffff:8.8.8.8', 'public', '8.8.8.8'],
    ['64:ff9b::8.8.8.8', 'public', '8.8.8.8'],
  ])('%s is %s', (text, kind, address) => {
    expect(classifyAddress(text)).toEqual({ kind, address });
  });

  it.each(['localhost', 'example.com', '127.1', '0x7f.0.0.1', '127.000.0.1', '256.0.0.1', '1.2.3', '::1::', '12345::', 'fe80::g', ''])(
    'returns null for %j, which is not an address literal',
    (text) => {
      expect(classifyAddress(text)).toBeNull();
    },
  );
});

describe('formatIp', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ])('writes %s as %s', (text, expected) => {
    expect(formatIp(parseIp(text)!)).toBe(expected);
  });
});
