import { fileURLToPath } from 'node:url';

import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool, PoolClient } from 'pg';

import type { StoreLogger } from '../logger.js';

// Resolved from this module's file, so the same path works from src/ under
// vitest and from dist/ in the built package.
const migrationsFolder = fileURLToPath(new URL('../../migrations/postgres', import.meta.url));
// drizzle's defaults, named here because the applied-count query reads them.
const migrationsSchema = 'drizzle';
const migrationsTable = '__drizzle_migrations';

/**
 * The key of the session-level advisory lock that migrate() holds. Any
 * fixed bigint works, as long as nothing else on the database takes it; this
 * one is the ASCII of "apisched".
 */
export const MIGRATION_LOCK_KEY = 0x61706973636865_64n;

/**
 * Applies pending migrations while holding an advisory lock, so that when
 * several processes start together one applies them and the others wait,
 * then find nothing left to apply. drizzle's migrator alone is not safe to
 * run concurrently: its CREATE SCHEMA / CREATE TABLE IF NOT EXISTS race, and
 * two processes would both run a pending migration.
 *
 * The lock belongs to the session, so every statement runs on one
 * connection taken from the pool. If the process dies, the server ends the
 * session and releases the lock.
 */
export async function migratePostgres(pool: Pool, logger: StoreLogger): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const before = await appliedMigrationCount(client);
      await migrate(drizzle({ client }), { migrationsFolder, migrationsSchema, migrationsTable });
      const after = await appliedMigrationCount(client);
      if (after > before) logger.info({ applied: after - before, total: after }, 'Applied database migrations');
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } catch (error) {
    // A connection whose unlock may not have run must not go back to the pool
    // holding the lock.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function appliedMigrationCount(client: PoolClient): Promise<number> {
  const table = `${migrationsSchema}.${migrationsTable}`;
  const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!exists.rows[0]?.present) return 0;
  const counted = await client.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${migrationsSchema}."${migrationsTable}"`);
  return counted.rows[0]?.total ?? 0;
}
