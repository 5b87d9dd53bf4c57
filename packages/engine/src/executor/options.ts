import type { LookupFunction } from 'node:net';

import { DENY_PRIVATE_POLICY } from '@api-scheduler/core';
import type { AddressPolicy } from '@api-scheduler/core';

/**
 * Checks the URL of every hop before it is sent: hop 0 is the request itself,
 * hop n the nth redirect. Throwing `BlockedAddressError` ends the attempt as
 * FAILURE / BLOCKED_ADDRESS, and any other error ends it as NETWORK_ERROR.
 */
export type TargetCheck = (url: URL, hop: number) => void | Promise<void>;

export interface ExecutorOptions {
  /** Maximum requests in flight across all origins. Later requests wait in a FIFO queue. */
  maxConcurrency: number;
  /** Maximum requests in flight to one origin. Later requests to it wait in a FIFO queue. */
  maxPerHost: number;
  /** TCP and TLS connect timeout in ms, cut short by the request's own `timeoutMs` when that ends first. */
  connectTimeoutMs: number;
  /** Bytes of the response body kept as the excerpt. */
  excerptBytes: number;
  /** Maximum bytes of a response body read. Past it reading stops and the connection closes. */
  maxBodyBytes: number;
  /** Redirects followed at most before the attempt fails with TOO_MANY_REDIRECTS. */
  maxRedirects: number;
  /** User-Agent sent when the request sets none. */
  userAgent: string;
  /**
   * Hook run before every hop, null for none. The address guard does not
   * need it: `addressPolicy` is checked on every new connection.
   */
  checkTarget: TargetCheck | null;
  /**
   * Rules for the loopback and private addresses that connections may reach.
   * Every resolved address is checked when a connection opens, for the first
   * hop and for every redirect. Link-local and cloud metadata addresses are
   * always denied. Default: loopback and private addresses denied.
   */
  addressPolicy: AddressPolicy;
  /**
   * Resolver of the host name of every new connection, with the signature of
   * `dns.lookup`, null for `dns.lookup` itself. Node 20 and later call it
   * with `options.all` true, because autoSelectFamily is on by default, and
   * The executor calls it with `options.all` true and expects an array of
   * addresses back, which it checks against `addressPolicy` before
   * connecting. It is not called for a host that is an IP literal. An error
   * passed to the callback fails the attempt: code ENOTFOUND as DNS_ERROR, a
   * `BlockedAddressError` as BLOCKED_ADDRESS.
   */
  lookup: LookupFunction | null;
}

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  maxConcurrency: 100,
  // A per-origin cap below the global one keeps a single slow target from
  // taking every slot.
  maxPerHost: 10,
  connectTimeoutMs: 5_000,
  excerptBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024 * 1024,
  maxRedirects: 10,
  userAgent: 'api-scheduler/0.1',
  checkTarget: null,
  addressPolicy: DENY_PRIVATE_POLICY,
  lookup: null,
};

/** Merges `options` over the defaults and rejects values that would break the executor. */
export function resolveExecutorOptions(options: Partial<ExecutorOptions>): ExecutorOptions {
  const resolved: ExecutorOptions = { ...DEFAULT_EXECUTOR_OPTIONS };
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) {
      Object.assign(resolved, { [name]: value });
    }
  }

  requireInteger('maxConcurrency', resolved.maxConcurrency, 1);
  requireInteger('maxPerHost', resolved.maxPerHost, 1);
  requireInteger('connectTimeoutMs', resolved.connectTimeoutMs, 1);
  requireInteger('excerptBytes', resolved.excerptBytes, 0);
  requireInteger('maxBodyBytes', resolved.maxBodyBytes, 0);
  requireInteger('maxRedirects', resolved.maxRedirects, 0);
  if (resolved.lookup !== null && typeof resolved.lookup !== 'function') {
    throw new TypeError('Invalid executor option lookup: expected a function with the signature of dns.lookup, or null');
  }
  if (resolved.userAgent.trim() === '' || /[\r\n\0]/.test(resolved.userAgent)) {
    throw new RangeError('Invalid executor option userAgent: expected a non-empty header value without line breaks');
  }

  return resolved;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Invalid executor option ${name}: expected an integer of at least ${min}, got ${value}`);
  }
}
