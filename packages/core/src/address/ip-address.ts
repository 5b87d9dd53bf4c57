/** An IP address as bytes in network order: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  version: 4 | 6;
  bytes: number[];
}

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP_PATTERN = /^[0-9a-f]{1,4}$/i;

/**
 * Parses an IPv4 address in dotted-decimal form. Leading zeros are rejected,
 * because some resolvers read them as octal.
 */
export function parseIpv4(text: string): IpAddress | null {
  const match = IPV4_PATTERN.exec(text);
  if (match === null) return null;

  const bytes: number[] = [];
  for (const part of match.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return { version: 4, bytes };
}

/**
 * Parses an IPv6 address: hex groups, one optional "::", an optional
 * dotted IPv4 tail (::ffff:10.0.0.1) and an optional zone (fe80::1%eth0),
 * which is ignored. Square brackets, as in a URL, are accepted too.
 */
export function parseIpv6(text: string): IpAddress | null {
  let rest = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zoneStart = rest.indexOf('%');
  if (zoneStart !== -1) rest = rest.slice(0, zoneStart);
  if (rest === '' || !rest.includes(':')) return null;

  const halves = rest.split('::');
  if (halves.length > 2) return null;

  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || tail === null) return null;

  const written = head.length + tail.length;
  if (halves.length === 1 ? written !== 16 : written > 14) return null;

  const zeros = new Array<number>(16 - written).fill(0);
  return { version: 6, bytes: [...head, ...zeros, ...tail] };
}

/** Parses an IPv4 or IPv6 address, or returns null when `text` is neither. */
export function parseIp(text: string): IpAddress | null {
  return parseIpv4(text) ?? parseIpv6(text);
}

/** Formats an address in the usual short form: dotted IPv4, or IPv6 with the longest run of zero groups as "::". */
export function formatIp(address: IpAddress): string {
  if (address.version === 4) return address.bytes.join('.');

  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(address.bytes[i]! * 256 + address.bytes[i + 1]!);

  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > bestLength && end - start > 1) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Tells whether the first `prefixLength` bits of `address` equal those of `network`. Both must be of one version. */
export function matchesPrefix(address: IpAddress, network: IpAddress, prefixLength: number): boolean {
  if (address.version !== network.version) return false;

  for (let bit = 0; bit < prefixLength; bit += 8) {
    const bits = Math.min(8, prefixLength - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    const index = bit / 8;
    if ((address.bytes[index]! & mask) !== (network.bytes[index]! & mask)) return false;
  }
  return true;
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];

  const parts = text.split(':');
  const bytes: number[] = [];
  for (const [index, part] of parts.entries()) {
    // Only the last part may be a dotted IPv4 address.
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === null) return null;
      bytes.push(...ipv4.bytes);
      continue;
    }
    if (!HEX_GROUP_PATTERN.test(part)) return null;
    const value = Number.parseInt(part, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}
