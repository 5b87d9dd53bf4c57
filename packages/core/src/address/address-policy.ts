import { classifyParsedAddress } from './classify-address.js';
import type { AddressKind } from './classify-address.js';
import { formatIp, matchesPrefix, parseIp } from './ip-address.js';
import type { IpAddress } from './ip-address.js';

/** One entry of SCHEDULER_TARGET_ALLOWLIST: a host name or an address range, optionally limited to one port. */
export interface AllowlistEntry {
  /** The entry as written. */
  text: string;
  /** Lower-case host name without a trailing dot, or null for an address entry. */
  host: string | null;
  /** Network of an address entry, or null for a host entry. */
  network: IpAddress | null;
  prefixLength: number;
  /** The only port allowed, or null for every port. */
  port: number | null;
}

/** Rules for the loopback and private addresses that outgoing requests may reach. */
export interface AddressPolicy {
  /** True allows every loopback, private and unspecified address (SCHEDULER_ALLOW_PRIVATE_TARGETS). */
  allowPrivate: boolean;
  allowlist: readonly AllowlistEntry[];
}

/** The address guard's default: loopback and private addresses denied, no exceptions. */
export const DENY_PRIVATE_POLICY: AddressPolicy = { allowPrivate: false, allowlist: [] };

/** A connection about to be made: the URL's host and port, and the IP address it goes to. */
export interface AddressRequest {
  /** The URL's host name, or its IP literal without brackets. */
  host: string;
  port: number;
  /** The IP address that the connection uses, after DNS resolution. */
  address: string;
}

export type AddressDecision = { allowed: true } | { allowed: false; kind: AddressKind; address: string; message: string };

// Kinds that no setting allows: a scheduler has no reason to reach them, and
// metadata endpoints hand out cloud credentials.
const ALWAYS_DENIED: ReadonlySet<AddressKind> = new Set(['metadata', 'link-local', 'multicast', 'reserved']);

const KIND_LABELS: Readonly<Record<AddressKind, string>> = {
  public: 'public',
  private: 'private network',
  loopback: 'loopback',
  unspecified: 'unspecified address',
  'link-local': 'link-local',
  metadata: 'cloud metadata endpoint',
  multicast: 'multicast',
  reserved: 'reserved range',
};

const HOST_NAME_PATTERN = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/**
 * Parses SCHEDULER_TARGET_ALLOWLIST: a comma-separated list of host names
 * (`hooks.internal`), host:port pairs (`localhost:8080`, `[::1]:8080`), IP
 * addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`). Throws a RangeError
 * that names the first invalid entry.
 */
export function parseTargetAllowlist(value: string): AllowlistEntry[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseAllowlistEntry);
}

export function parseAllowlistEntry(text: string): AllowlistEntry {
  const invalid = (reason: string): RangeError =>
    new RangeError(`Invalid allowlist entry "${text}": ${reason}. Expected a host, host:port, an IP address or a CIDR range such as 10.0.0.0/8`);

  if (text.includes('/')) {
    const [networkText, prefixText, extra] = text.split('/');
    const network = parseIp(networkText!);
    if (network === null || extra !== undefined) throw invalid('the part before "/" is not an IP address');
    const maxPrefix = network.version === 4 ? 32 : 128;
    const prefixLength = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText!) || prefixLength > maxPrefix) {
      throw invalid(`the prefix length must be a whole number from 0 to ${maxPrefix}`);
    }
    return { text, host: null, network, prefixLength, port: null };
  }

  const bare = parseIp(text);
  if (bare !== null) return addressEntry(text, bare, null);

  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    const address = parseIp(bracketed[1]!);
    if (address === null || address.version !== 6) throw invalid('the part in brackets is not an IPv6 address');
    return addressEntry(text, address, bracketed[2] === undefined ? null : parsePort(bracketed[2], invalid));
  }

  const colon = text.lastIndexOf(':');
  const hostText = colon === -1 ? text : text.slice(0, colon);
  const port = colon === -1 ? null : parsePort(text.slice(colon + 1), invalid);
  const address = parseIp(hostText);
  if (address !== null) return addressEntry(text, address, port);

  const host = normalizeHost(hostText);
  if (!HOST_NAME_PATTERN.test(host)) throw invalid('the host name may contain only letters, digits, "-", "_" and dots');
  return { text, host, network: null, prefixLength: 0, port };
}

/**
 * Decides whether a connection may go to `request.address`. Public addresses
 * are allowed, and metadata, link-local, multicast and reserved ones never
 * are. Loopback, private and unspecified ones are allowed only when the
 * policy allows all of them, or when an allowlist entry matches the host or
 * the address, and the port if the entry names one. Input that is not an IP
 * address is denied as reserved.
 */
export function checkAddress(policy: AddressPolicy, request: AddressRequest): AddressDecision {
  const parsed = parseIp(request.address);
  if (parsed === null) {
    return { allowed: false, kind: 'reserved', address: request.address, message: `Blocked address "${request.address}": it is not an IP address` };
  }

  const classification = classifyParsedAddress(parsed);
  if (classification.kind === 'public') return { allowed: true };

  const target = `${formatHost(request.host)}:${request.port}`;
  const shown = classification.address === formatIp(parsed) ? classification.address : `${formatIp(parsed)} (${classification.address})`;
  const label = KIND_LABELS[classification.kind];

  if (ALWAYS_DENIED.has(classification.kind)) {
    return {
      allowed: false,
      kind: classification.kind,
      address: classification.address,
      message: `Blocked address ${shown} (${label}) for ${target}: link-local, cloud metadata, multicast and reserved addresses are always denied, and no setting allows them`,
    };
  }

  if (policy.allowPrivate || matchesAllowlist(policy.allowlist, request, parsed, classification.address)) {
    return { allowed: true };
  }
  return {
    allowed: false,
    kind: classification.kind,
    address: classification.address,
    message: `Blocked address ${shown} (${label}) for ${target}: loopback and private addresses are denied by default. To allow it, set SCHEDULER_ALLOW_PRIVATE_TARGETS=true or add "${target}" to SCHEDULER_TARGET_ALLOWLIST`,
  };
}

/** Lower-cases a host name and drops the trailing dot of a fully qualified one. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function matchesAllowlist(allowlist: readonly AllowlistEntry[], request: AddressRequest, parsed: IpAddress, embedded: string): boolean {
  const host = normalizeHost(request.host);
  const embeddedAddress = parseIp(embedded);

  return allowlist.some((entry) => {
    if (entry.port !== null && entry.port !== request.port) return false;
    if (entry.host !== null) return entry.host === host;

    const network = entry.network!;
    return (
      matchesPrefix(parsed, network, entry.prefixLength) ||
      (embeddedAddress !== null && matchesPrefix(embeddedAddress, network, entry.prefixLength))
    );
  });
}

function addressEntry(text: string, address: IpAddress, port: number | null): AllowlistEntry {
  return { text, host: null, network: address, prefixLength: address.version === 4 ? 32 : 128, port };
}

function parsePort(text: string, invalid: (reason: string) => RangeError): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65_535) throw invalid('the port must be a whole number from 1 to 65535');
  return port;
}

/** Returns the port of a URL, or the default port of its scheme when it names none. */
export function portOfUrl(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A policy that allows every loopback and private address, as SCHEDULER_ALLOW_PRIVATE_TARGETS=true does. */
export const ALLOW_PRIVATE_POLICY: AddressPolicy = { allowPrivate: true, allowlist: [] };
