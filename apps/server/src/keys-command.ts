import { API_KEY_SCOPES, NotFoundError, generateApiKey, newId } from '@api-scheduler/core';
import type { ApiKey, ApiKeyScope } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

/** A mistake in the options of keys create: exit code 2. */
export class KeysUsageError extends Error {
  constructor(message: string) {
    super(`${message}. Run api-scheduler keys create --help for the usage.`);
    this.name = 'KeysUsageError';
  }
}

export const MAX_KEY_NAME_LENGTH = 100;

/** Checks the options of `keys create`; throws KeysUsageError naming the bad value. */
export function parseCreateOptions(name: string | undefined, scope: string | undefined): { name: string; scope: ApiKeyScope } {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') throw new KeysUsageError('keys create needs --name NAME, a label such as the client that uses the key');
  if (trimmed.length > MAX_KEY_NAME_LENGTH) throw new KeysUsageError(`--name is longer than ${MAX_KEY_NAME_LENGTH} characters`);
  if (scope === undefined) throw new KeysUsageError(`keys create needs --scope, one of ${API_KEY_SCOPES.join(', ')}`);
  if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
    throw new KeysUsageError(`--scope must be one of ${API_KEY_SCOPES.join(', ')} (got "${scope}")`);
  }
  return { name: trimmed, scope: scope as ApiKeyScope };
}

/** Creates a key and returns the text for standard output: the key, shown only this once, and how to send it. */
export async function createKeyCommand(store: Store, options: { name: string; scope: ApiKeyScope; baseUrl: string }): Promise<string> {
  const now = Date.now();
  const { key, prefix, hash } = generateApiKey();
  const created = await store.createApiKey({
    id: newId(now),
    name: options.name,
    prefix,
    hash,
    scope: options.scope,
    created_at: new Date(now),
    last_used_at: null,
    revoked_at: null,
  });

  return [
    `Created API key "${created.name}" (id ${created.id}, scope ${created.scope}).`,
    'Copy the key now: it is shown only this once, and the server stores only its hash.',
    '',
    key,
    '',
    'Send it with every request:',
    `  curl -H "Authorization: Bearer ${key}" ${options.baseUrl}/schedules/`,
    `or sign in to the web UI at ${options.baseUrl}/ui/login with it.`,
    'A running server on this database accepts the key at once and requires keys from then on within 5 seconds.',
    '',
  ].join('\n');
}

function formatInstant(instant: Date | null): string {
  return instant === null ? '-' : instant.toISOString();
}

/** Formats the keys as a table, revoked ones included. No secret is shown: the server has none. */
export function formatKeyList(keys: ApiKey[]): string {
  if (keys.length === 0) return 'No API keys. Create one with: api-scheduler keys create --name NAME --scope read|write|admin\n';

  const header = ['ID', 'NAME', 'PREFIX', 'SCOPE', 'CREATED', 'LAST USED', 'REVOKED'];
  const rows = keys.map((key) => [key.id, key.name, `sk_${key.prefix}_…`, key.scope, formatInstant(key.created_at), formatInstant(key.last_used_at), formatInstant(key.revoked_at)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[header, ...rows].map(format).join('\n')}\n`;
}

/** Revokes a key and returns the line for standard output; throws NotFoundError for an unknown id. */
export async function revokeKeyCommand(store: Store, id: string): Promise<string> {
  const before = await store.getApiKey(id);
  if (before === null) throw new NotFoundError('API key', id);

  const revoked = await store.revokeApiKey(id, new Date());
  if (before.revoked_at !== null) return `API key ${revoked.id} ("${revoked.name}") was already revoked at ${revoked.revoked_at!.toISOString()}.\n`;
  return `Revoked API key ${revoked.id} ("${revoked.name}"). Requests with it fail from now on, also on a running server.\n`;
}
