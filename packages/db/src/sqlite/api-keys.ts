import { ConflictError, NotFoundError } from '@api-scheduler/core';
import type { ApiKey, StoredApiKey } from '@api-scheduler/core';
import { and, asc, count, eq, isNull, lt, or } from 'drizzle-orm';

import type { LibsqlExecutor } from './open-database.js';
import { apiKeys } from './schema.js';
import { violatedConstraint } from './sqlite-errors.js';

// Every column but the hash, which leaves the store only through findApiKeyByPrefix.
const listedColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scope: apiKeys.scope,
  created_at: apiKeys.created_at,
  last_used_at: apiKeys.last_used_at,
  revoked_at: apiKeys.revoked_at,
};

export async function insertApiKey(db: LibsqlExecutor, key: StoredApiKey): Promise<ApiKey> {
  try {
    const [row] = await db.insert(apiKeys).values(key).returning(listedColumns);
    return row!;
  } catch (error) {
    // The prefix and the id are both random, so a clash is a bug or a replayed insert, never a user's mistake.
    const constraint = violatedConstraint(error);
    if (constraint === 'unique' || constraint === 'primary_key') {
      throw new ConflictError(`An API key with id ${key.id} or prefix ${key.prefix} already exists`);
    }
    throw error;
  }
}

export async function listApiKeys(db: LibsqlExecutor): Promise<ApiKey[]> {
  return db.select(listedColumns).from(apiKeys).orderBy(asc(apiKeys.id));
}

export async function findApiKey(db: LibsqlExecutor, id: string): Promise<ApiKey | null> {
  const [row] = await db.select(listedColumns).from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

export async function findApiKeyByPrefix(db: LibsqlExecutor, prefix: string): Promise<StoredApiKey | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix));
  return row ?? null;
}

export async function countActiveApiKeys(db: LibsqlExecutor): Promise<number> {
  const [row] = await db.select({ total: count() }).from(apiKeys).where(isNull(apiKeys.revoked_at));
  return Number(row?.total ?? 0);
}

// Only moves last_used_at forward, so a late write from a slow request never hides a newer use.
export async function touchApiKey(db: LibsqlExecutor, id: string, usedAt: Date): Promise<void> {
  await db
    .update(apiKeys)
    .set({ last_used_at: usedAt })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.last_used_at), lt(apiKeys.last_used_at, usedAt))));
}

// Revoking a revoked key keeps the first revoked_at.
export async function revokeApiKey(db: LibsqlExecutor, id: string, revokedAt: Date): Promise<ApiKey> {
  await db
    .update(apiKeys)
    .set({ revoked_at: revokedAt })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revoked_at)));
  const key = await findApiKey(db, id);
  if (!key) throw new NotFoundError('API key', id);
  return key;
}
