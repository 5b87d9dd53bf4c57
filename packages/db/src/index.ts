export type * from './store.js';
export { createStore } from './create-store.js';
export type { CreateStoreOptions } from './create-store.js';
export { createLibsqlStore, LibsqlStore } from './sqlite/libsql-store.js';
export type { LibsqlStoreOptions } from './sqlite/libsql-store.js';
export { DatabaseQueryError } from './query-error.js';
export type { StoreLogger } from './logger.js';
export * from './database-open-error.js';
