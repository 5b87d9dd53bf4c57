import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { errorMessage, redactUrl } from '../database-open-error.js';

// Test support, shared by the PostgreSQL tests of every package through the
// @api-scheduler/db/testing entry point. Tests read the server from the
// environment the way PostgreSQL's own tools do, so the environment is a
// parameter here (process.env by default).

const PROBE_TIMEOUT_MS = 3_000;

/** A database created for one test run. */
export interface TestDatabase {
  name: string;
  /** A URL for createStore and DATABASE_URL. */
  url: string;
  /** Empties every table in the public schema, keeping the schema and its applied migrations. */
  truncateTables(): Promise<void>;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

export interface PostgresTestServer {
  /** The URL of the database that test databases are created from, password hidden. */
  displayUrl: string;
  /** Creates an empty database named api_scheduler_test_<pid>_<random>. */
  createDatabase(): Promise<TestDatabase>;
}

export type PostgresTestServerProbe = { server: PostgresTestServer; skipReason: null } | { server: null; skipReason: string };

/**
 * Returns the URL of the server's maintenance database: DATABASE_URL_POSTGRES_TEST
 * when set, else one built from PGHOST, PGPORT, PGUSER, PGPASSWORD and
 * PGDATABASE, each defaulting to the local server of these machines
 * (127.0.0.1, 5432, postgres, no password, postgres).
 */
export function postgresTestAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['DATABASE_URL_POSTGRES_TEST']?.trim();
  if (explicit) return explicit;

  const host = env['PGHOST'] || '127.0.0.1';
  const port = env['PGPORT'] || '5432';
  const user = encodeURIComponent(env['PGUSER'] || 'postgres');
  const password = env['PGPASSWORD'] ? `:${encodeURIComponent(env['PGPASSWORD'])}` : '';
  const database = encodeURIComponent(env['PGDATABASE'] || 'postgres');
  // A PGHOST that is a folder names a Unix socket, which pg takes from the host parameter.
  if (host.startsWith('/')) return `postgres://${user}${password}@localhost:${port}/${database}?host=${encodeURIComponent(host)}`;
  return `postgres://${user}${password}@${host}:${port}/${database}`;
}

/**
 * Connects to the test server once. Without a server, returns the reason to
 * print when skipping, unless CI is set: then it throws, because CI must
 * run the PostgreSQL tests.
 */
export async function probePostgresTestServer(env: NodeJS.ProcessEnv = process.env): Promise<PostgresTestServerProbe> {
  const adminUrl = postgresTestAdminUrl(env);
  const displayUrl = redactUrl(adminUrl);
  try {
    await withClient(adminUrl, (client) => client.query('SELECT 1'));
  } catch (error) {
    const cause = errorMessage(error);
    if (isCi(env)) {
      throw new Error(
        `PostgreSQL tests cannot run: connecting to ${displayUrl} failed (${cause}). CI is set, so they must run: start PostgreSQL or set DATABASE_URL_POSTGRES_TEST or the PG* variables.`,
        { cause: error },
      );
    }
    return {
      server: null,
      skipReason: `PostgreSQL tests skipped: connecting to ${displayUrl} failed (${cause}). To run them, start PostgreSQL there or set DATABASE_URL_POSTGRES_TEST or the PG* variables to a server where this user may create databases.`,
    };
  }
  return { server: { displayUrl, createDatabase: () => createTestDatabase(adminUrl) }, skipReason: null };
}

async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `api_scheduler_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    name,
    url: databaseUrl,
    truncateTables: () => withClient(databaseUrl, truncatePublicTables),
    drop: async () => {
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function truncatePublicTables(client: pg.Client): Promise<void> {
  const tables = await client.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
  if (tables.rows.length === 0) return;
  await client.query(`TRUNCATE ${tables.rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
}

async function withClient<T>(url: string, task: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

/** Returns whether CI is set, as CI services set it (CI=true, CI=1); empty, 0 and false mean unset. */
function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env['CI']?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}
