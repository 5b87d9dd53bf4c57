import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { NodePgDatabase, NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';

import type { StoreLogger } from '../logger.js';
import * as schema from './schema.js';

export type PostgresSchema = typeof schema;
/** The drizzle database of the store, with its pg pool as drizzle exposes it. */
export type PostgresDatabase = NodePgDatabase<PostgresSchema> & { $client: Pool };
/** A database or an open transaction on it: what the queries of this folder run on. */
export type PostgresExecutor = PgDatabase<NodePgQueryResultHKT, PostgresSchema>;

/** The application_name of the store's connections, so an operator can find them in pg_stat_activity. */
export const APPLICATION_NAME = 'api-scheduler';

const CONNECT_TIMEOUT_MS = 10_000;

/** Returns the settings of every connection the store opens, the pool's and the listener's. */
export function connectionConfig(url: string): PoolConfig {
  return {
    connectionString: url,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // TCP keepalive probes, starting after 10 s of silence, detect a
    // connection that the network dropped without a reset. Linux waits two
    // hours before the first probe by default, and until then the listener
    // would wait for notifications on a dead connection.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * Opens a pool of up to `poolSize` connections and runs one query, so an
 * unreachable server or a missing database fails at start and not at the
 * first request.
 */
export async function openPostgresDatabase(url: string, poolSize: number, logger: StoreLogger): Promise<PostgresDatabase> {
  const pool = new pg.Pool({ ...connectionConfig(url), max: poolSize });
  // An idle connection that the server closes (a restart, an administrator)
  // emits 'error' on the pool; without a handler Node.js would exit. The pool
  // drops that connection and opens another on the next query.
  pool.on('error', (error) => logger.warn({ err: error }, 'An idle PostgreSQL connection failed and was removed from the pool'));

  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return drizzle({ client: pool, schema });
}
