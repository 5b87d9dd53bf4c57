import { ValidationError, checkAddress, classifyAddress, portOfUrl } from '@api-scheduler/core';
import type { AddressPolicy } from '@api-scheduler/core';

/**
 * Rejects a URL whose host is an IP literal that the address guard would
 * block, with the guard's own explanation, as a field error at `loc`. Host
 * names are left to the engine, which checks every address they resolve to
 * when it connects.
 */
export function checkUrlAddress(policy: AddressPolicy | undefined, rawUrl: string, loc: Array<string | number>): void {
  if (policy === undefined) return;

  const url = new URL(rawUrl);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (classifyAddress(host) === null) return;

  const decision = checkAddress(policy, { host, port: portOfUrl(url), address: host });
  if (!decision.allowed) throw ValidationError.at(loc, decision.message);
}
