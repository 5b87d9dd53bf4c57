import { DatabaseOpenError } from './database-open-error.js';
import type { StoreLogger } from './logger.js';
import { createLibsqlStore } from './sqlite/libsql-store.js';
import type { Store } from './store.js';

export interface CreateStoreOptions {
  /** DATABASE_URL: file:… or libsql:… for libSQL; postgres://… for PostgreSQL (not built yet). */
  url: string;
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
      throw new Error('PostgreSQL support is not built yet: set DATABASE_URL to a file: URL such as file:./data/scheduler.db');
    default:
      throw new Error(
        `Unsupported database URL scheme ${scheme === undefined ? '(none)' : `"${scheme}:"`}: use file:./data/scheduler.db (libSQL) or postgres://…`,
      );
  }
}
