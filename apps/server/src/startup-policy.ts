import { isIPv4, isIPv6 } from 'node:net';

import { CREATE_KEY_COMMAND } from '@api-scheduler/api';

/**
 * Access mode of the API: keys required, open without keys on a loopback
 * address, open because of --insecure, or not served at all.
 */
export type StartupAccess = 'keys' | 'open-loopback' | 'open-insecure' | 'refuse';

/** Tells whether HOST is a loopback address, which only processes on this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const address = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (address === 'localhost') return true;
  if (isIPv4(address)) return address.startsWith('127.');
  if (isIPv6(address)) {
    return address === '::1' || address === '0:0:0:0:0:0:0:1' || (address.startsWith('::ffff:') && isIPv4(address.slice(7)) && address.slice(7).startsWith('127.'));
  }
  return false;
}

/** Applies the start-up policy: a server that other machines can reach needs a key unless `insecure`. */
export function startupAccess(input: { host: string; insecure: boolean; activeKeys: number }): StartupAccess {
  if (input.activeKeys > 0) return 'keys';
  if (isLoopbackHost(input.host)) return 'open-loopback';
  return input.insecure ? 'open-insecure' : 'refuse';
}

/** Raised when the server would listen on a reachable address without any API key. */
export class InsecureStartError extends Error {
  constructor(host: string) {
    super(
      `Not starting: HOST is ${host}, which other machines can reach, and no API key exists, so anyone could use the API.\n` +
        `Create a key first with \`${CREATE_KEY_COMMAND}\` (from the repository: \`npm run cli -- keys create --name admin --scope admin\`),\n` +
        'or start with --insecure (or SCHEDULER_INSECURE=true) to serve without authentication.',
    );
    this.name = 'InsecureStartError';
  }
}
