import { DatabaseOpenError } from './database-open-error.js';
import type { StoreLogger } from './logger.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createLibsqlStore } from './sqlite/libsql-store.js';
import type { Store } from './store.js';

export interface CreateStoreOptions {
  /** DATABASE_URL: file:… or libsql:… for libSQL; postgres://… or postgresql://… for PostgreSQL. */
  url: string;
  /** Maximum connections a PostgreSQL store opens at once (default 10). libSQL ignores it. */
  poolSize?: number;
  logger?: StoreLogger;
}

/** Opens the Store of the dialect that `url` names. Call migrate() on it before use. */
export async function createStore(options: CreateStoreOptions): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(options.url)?.[1]?.toLowerCase();

  switch (scheme) {
    case 'file':
    case 'libsql':
      try {
        return await createLibsqlStore(options);
      } catch (error) {
        throw new DatabaseOpenError(options.url, 'open', error);
      }
    case 'postgres':
    case 'postgresql':
      try {
        return await createPostgresStore(options);
      } catch (error) {
        throw new DatabaseOpenError(options.url, 'open', error);
      }
    default:
      throw new Error(
        `Unsupported database URL scheme ${scheme === undefined ? '(none)' : `"${scheme}:"`}: use file:./data/scheduler.db (libSQL) or postgres://…`,
      );
  }
}
