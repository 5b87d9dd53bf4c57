import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

import { checkAddress } from '@api-scheduler/core';
import type { AddressPolicy } from '@api-scheduler/core';
import type { Logger } from 'pino';
import { buildConnector } from 'undici';

import { BlockedAddressError } from './errors.js';

export interface GuardedConnectorOptions {
  /** TCP and TLS connect timeout of each address tried, in ms. DNS resolution does not count toward it. */
  connectTimeoutMs: number;
  /** Resolver with the signature of `dns.lookup`, null for `dns.lookup` itself. */
  lookup: LookupFunction | null;
  policy: AddressPolicy;
  logger: Logger;
}

// Errors after which the next resolved address is tried, because another
// address of the host may still accept the connection.
const NEXT_ADDRESS_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Builds an undici connector that resolves the host itself, checks every
 * resolved address against `policy`, and then connects to a checked IP
 * address instead of the host name. The address checked is therefore the
 * address connected, and a DNS answer that changes between the check and
 * the connection (DNS rebinding) cannot slip through. Every new connection
 * goes through it, the first hop's and each redirect's alike.
 *
 * When any resolved address is denied the connection fails with a
 * BlockedAddressError and no address is contacted, so a name that resolves
 * to a public and a private address cannot reach the private one by a
 * failed first attempt. Addresses are tried in the resolver's order, the
 * next one after a refused or timed-out connection.
 */
export function buildGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({ timeout: options.connectTimeoutMs });
  const lookup = options.lookup ?? (dnsLookup as LookupFunction);

  return (params, callback) => {
    const port = params.port === '' ? defaultPortOf(params.protocol) : Number(params.port);

    resolveAddresses(lookup, params.hostname).then(
      (addresses) => {
        for (const address of addresses) {
          const decision = checkAddress(options.policy, { host: params.hostname, port, address });
          if (!decision.allowed) {
            options.logger.warn({ host: params.hostname, port, address: decision.address, kind: decision.kind }, 'Blocked an outgoing connection');
            callback(new BlockedAddressError(decision.message), null);
            return;
          }
        }

        // TLS must still name and verify the host, not the address connected.
        const servername = params.servername ?? (isIP(params.hostname) === 0 ? params.hostname : undefined);
        const tryAddress = (index: number): void => {
          connect({ ...params, hostname: addresses[index]!, ...(servername === undefined ? {} : { servername }) }, (error, socket) => {
            if (error !== null && index + 1 < addresses.length && NEXT_ADDRESS_CODES.has(codeOf(error))) {
              tryAddress(index + 1);
              return;
            }
            if (error !== null) callback(error, null);
            else callback(null, socket!);
          });
        };
        tryAddress(0);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}

/** Resolves `hostname` to every address, or returns the hostname itself when it is an IP literal. */
function resolveAddresses(lookup: LookupFunction, hostname: string): Promise<string[]> {
  if (isIP(hostname) !== 0) return Promise.resolve([hostname]);

  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, result) => {
      if (error) {
        reject(error);
        return;
      }
      // A resolver asked for all addresses returns an array. One that ignores
      // `all` returns a single address string instead.
      const addresses = Array.isArray(result) ? (result as LookupAddress[]).map((entry) => entry.address) : [result as string];
      if (addresses.length === 0) {
        reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
        return;
      }
      resolve(addresses);
    });
  });
}

function defaultPortOf(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}
