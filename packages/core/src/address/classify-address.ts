import { formatIp, matchesPrefix, parseIp, parseIpv4 } from './ip-address.js';
import type { IpAddress } from './ip-address.js';

/**
 * The kind of an IP address, as the outbound address guard treats it.
 * `metadata`, `link-local`, `multicast` and `reserved` are always denied;
 * `loopback`, `private` and `unspecified` only unless allowed.
 */
export type AddressKind = 'public' | 'private' | 'loopback' | 'unspecified' | 'link-local' | 'metadata' | 'multicast' | 'reserved';

export interface AddressClassification {
  kind: AddressKind;
  /** The address in its usual short form, or the IPv4 address that an IPv6 one embeds (::ffff:a.b.c.d, NAT64, 6to4). */
  address: string;
}

interface Range {
  network: IpAddress;
  prefixLength: number;
  kind: AddressKind;
}

function range(cidr: string, kind: AddressKind): Range {
  const [network, prefixLength] = cidr.split('/');
  return { network: parseIp(network!)!, prefixLength: Number(prefixLength), kind };
}

// The first matching range decides, so the single metadata addresses come
// before the link-local and private ranges that contain them. Sources: the
// IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), and each
// cloud's documentation for its metadata endpoint.
const IPV4_RANGES: readonly Range[] = [
  range('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, Oracle, DigitalOcean instance metadata
  range('169.254.170.2/32', 'metadata'), // AWS ECS task metadata and credentials
  range('169.254.170.23/32', 'metadata'), // AWS EKS Pod Identity agent
  range('100.100.100.200/32', 'metadata'), // Alibaba Cloud instance metadata
  range('168.63.129.16/32', 'metadata'), // Azure WireServer, a public address that only works from inside Azure
  range('0.0.0.0/8', 'unspecified'), // "this network": Linux connects 0.0.0.0 to the local host
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('10.0.0.0/8', 'private'),
  range('172.16.0.0/12', 'private'),
  range('192.168.0.0/16', 'private'),
  range('100.64.0.0/10', 'private'), // carrier-grade NAT, often used inside clusters
  range('198.18.0.0/15', 'private'), // benchmarking networks
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  range('192.0.2.0/24', 'reserved'), // documentation (TEST-NET-1)
  range('198.51.100.0/24', 'reserved'), // documentation (TEST-NET-2)
  range('203.0.113.0/24', 'reserved'), // documentation (TEST-NET-3)
  range('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // reserved for future use, and 255.255.255.255 broadcast
];

const IPV6_RANGES: readonly Range[] = [
  range('fd00:ec2::/32', 'metadata'), // AWS IPv6 metadata (fd00:ec2::254) and other AWS link services
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('fe80::/10', 'link-local'),
  range('64:ff9b:1::/48', 'private'), // local-use NAT64
  range('fec0::/10', 'private'), // deprecated site-local
  range('fc00::/7', 'private'), // unique local addresses
  range('100::/64', 'reserved'), // discard-only
  range('2001::/32', 'reserved'), // Teredo: the IPv4 address inside is obfuscated, so it cannot be checked
  range('2001:db8::/32', 'reserved'), // documentation
  range('3fff::/20', 'reserved'), // documentation
  range('ff00::/8', 'multicast'),
];

// Global unicast. IPv6 addresses outside it and outside the ranges above are unassigned.
const IPV6_GLOBAL_UNICAST = range('2000::/3', 'public');

/**
 * Classifies an IP address literal without connecting anywhere. An IPv6
 * address that embeds an IPv4 one (IPv4-mapped ::ffff:0:0/96, the deprecated
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 6to4 2002::/16) is
 * classified as that IPv4 address, because a connection to it can reach the
 * IPv4 host. Returns null when `text` is not an IP address.
 */
export function classifyAddress(text: string): AddressClassification | null {
  const address = parseIp(text);
  if (address === null) return null;
  return classifyParsedAddress(address);
}

/** Classifies a parsed IP address, as classifyAddress does. */
export function classifyParsedAddress(address: IpAddress): AddressClassification {
  const embedded = address.version === 6 ? embeddedIpv4(address) : null;
  if (embedded !== null) return classifyParsedAddress(embedded);

  const ranges = address.version === 4 ? IPV4_RANGES : IPV6_RANGES;
  const match = ranges.find((candidate) => matchesPrefix(address, candidate.network, candidate.prefixLength));
  if (match !== undefined) return { kind: match.kind, address: formatIp(address) };

  if (address.version === 6 && !matchesPrefix(address, IPV6_GLOBAL_UNICAST.network, IPV6_GLOBAL_UNICAST.prefixLength)) {
    return { kind: 'reserved', address: formatIp(address) };
  }
  return { kind: 'public', address: formatIp(address) };
}

const IPV4_MAPPED = parseIp('::ffff:0:0')!;
const IPV4_COMPATIBLE = parseIp('::')!;
const NAT64 = parseIp('64:ff9b::')!;
const SIX_TO_FOUR = parseIp('2002::')!;

function embeddedIpv4(address: IpAddress): IpAddress | null {
  const bytes = address.bytes;
  if (matchesPrefix(address, IPV4_MAPPED, 96) || matchesPrefix(address, NAT64, 96)) {
    return ipv4Of(bytes.slice(12, 16));
  }
  // ::/96 contains :: and ::1 too, which have ranges of their own.
  if (matchesPrefix(address, IPV4_COMPATIBLE, 96) && (bytes[12]! !== 0 || bytes[13]! !== 0 || bytes[14]! !== 0 || bytes[15]! > 1)) {
    return ipv4Of(bytes.slice(12, 16));
  }
  if (matchesPrefix(address, SIX_TO_FOUR, 16)) {
    return ipv4Of(bytes.slice(2, 6));
  }
  return null;
}

function ipv4Of(bytes: number[]): IpAddress {
  return parseIpv4(bytes.join('.'))!;
}
