// Helpers for benchmarks that build large libSQL database files: a raw
// @libsql/client connection for bulk SQL, and a temporary folder under the
// system temp directory with a free-space check.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_RETRY_POLICY } from '@api-scheduler/core';

// @libsql/client is a dependency of @api-scheduler/db, not of the bench
// package, so it is resolved from the db package and has the store's version.
const requireFromDb = createRequire(fileURLToPath(import.meta.resolve('@api-scheduler/db')));
const { createClient } = requireFromDb('@libsql/client');

/** Opens a raw libSQL client with one connection, for bulk inserts and for checks that no Store method covers. */
export function openRawClient(url) {
  return createClient({ url, concurrency: 1 });
}

/**
 * Creates an empty folder under the system temp directory for a database
 * file, after checking that the file system has `neededBytes` free.
 * Returns the file: URL of scheduler.db in it and a function that deletes the folder.
 */
export function createTempDatabase(prefix, neededBytes) {
  const root = tmpdir();
  const fs = statfsSync(root);
  const freeBytes = fs.bavail * fs.bsize;
  if (freeBytes < neededBytes) {
    throw new Error(
      `Not enough free space in ${root}: ${(freeBytes / 2 ** 30).toFixed(1)} GiB free, the benchmark needs ${(neededBytes / 2 ** 30).toFixed(1)} GiB. ` +
        'Free some space or set TMPDIR to a larger file system.',
    );
  }

  const folder = mkdtempSync(join(root, prefix));
  const path = join(folder, 'scheduler.db');
  return {
    folder,
    path,
    url: `file:${path}`,
    freeBytes,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** The default retry policy as JSON text, as the store writes it, so that raw inserts match what the API stores. */
export const DEFAULT_RETRY_POLICY_JSON = JSON.stringify(DEFAULT_RETRY_POLICY);

/**
 * SQL for a UUID version 7-like id of row `i`, made inside SQLite: 48 bits of
 * Unix milliseconds from `msExpr`, the row number modulo 4096 as the
 * sequence, then random bits. When `msExpr` grows with the row, ids sort in
 * insertion order, as ids made by newId() do.
 */
export function uuidV7Sql(msExpr, iExpr) {
  return `printf('%08x-%04x-7%03x-%04x-%012x', (${msExpr}) / 65536, (${msExpr}) % 65536, (${iExpr}) % 4096, 32768 + abs(random() % 16384), abs(random() % 281474976710656))`;
}

/** SQL for the ISO 8601 UTC text of an instant given in Unix milliseconds, in the format of Date.prototype.toISOString(). */
export function isoSql(msExpr) {
  return `strftime('%Y-%m-%dT%H:%M:%fZ', (${msExpr}) / 1000.0, 'unixepoch')`;
}
