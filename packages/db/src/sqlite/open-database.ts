import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createClient } from '@libsql/client';
import type { Client, ResultSet } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

import type { StoreLogger } from '../logger.js';
import * as schema from './schema.js';
import { WorkerClient } from './worker-client.js';

export type LibsqlSchema = typeof schema;
/** The drizzle database of the store, with its libSQL client as drizzle exposes it. */
export type LibsqlDatabase = LibSQLDatabase<LibsqlSchema> & { $client: Client };
/** A database or an open transaction on it: what the queries of this folder run on. */
export type LibsqlExecutor = BaseSQLiteDatabase<'async', ResultSet, LibsqlSchema>;

const BUSY_TIMEOUT_MS = 5_000;

/** Returns the path of a local database file named by a file: URL, or null for an in-memory or remote database. */
export function databaseFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null;

  // file:///abs/path and file://localhost/abs/path are standard file URLs;
  // file:/abs/path and file:relative/path are the short forms libSQL accepts.
  const path = url.startsWith('file://') ? fileURLToPath(url.split('?')[0]!) : decodeURIComponent(url.slice('file:'.length).split('?')[0]!);
  return path === '' || path.startsWith(':memory:') ? null : path;
}

/**
 * Opens a libSQL database and configures its connection. WAL mode lets
 * another process (the CLI) read while this one writes. The busy timeout
 * makes a writer from another process wait for the lock, not fail at once.
 * Foreign keys must be on for the cascade from schedules to runs.
 * synchronous=NORMAL skips the fsync on each commit, so in WAL mode a power
 * loss can roll back the last commits but does not corrupt the file.
 */
export async function openLibsqlDatabase(url: string, logger: StoreLogger): Promise<{ client: Client; db: LibsqlDatabase }> {
  const path = databaseFilePath(url);
  if (path !== null) {
    const created = await mkdir(dirname(path), { recursive: true });
    if (created !== undefined) logger.info({ directory: created }, 'Created the database directory');
  }

  // One connection per client, in a worker thread for a file: database (see
  // WorkerClient). The libSQL driver runs each statement synchronously on
  // the thread that calls it, and in the worker SQLite works beside the
  // event loop instead of stopping it. A second connection would only
  // contend for the write lock: one that writes while another holds the lock
  // waits in SQLite's busy handler, blocking its thread until busy_timeout
  // expires. One connection also keeps the per-connection pragmas below on
  // every statement. The store serializes its operations so that the one
  // connection is never contended.
  // `timeout` re-applies the busy timeout if the driver ever reopens the connection.
  const config = { url, concurrency: 1, timeout: BUSY_TIMEOUT_MS };
  const client: Client = url.startsWith('file:') ? new WorkerClient(config) : createClient(config);

  try {
    if (path !== null) {
      await client.execute('PRAGMA journal_mode=WAL');
      await client.execute('PRAGMA synchronous=NORMAL');
      await client.execute(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`);
    }
    // NOTE: only file: databases are tested. A remote libsql: server runs
    // each request on its own stream, where this pragma may not persist.
    await client.execute('PRAGMA foreign_keys=ON');
  } catch (error) {
    client.close();
    throw error;
  }

  return { client, db: drizzle(client, { schema }) };
}
