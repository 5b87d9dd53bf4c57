import { defineConfig } from 'drizzle-kit';

// Generates the libSQL/SQLite migrations from the schema (pnpm db:generate).
// The store applies them itself at start; dbCredentials, the server's default
// database seen from this folder, serves only `drizzle-kit studio`.
export default defineConfig({
  dialect: 'turso',
  schema: './src/sqlite/schema.ts',
  out: './migrations/sqlite',
  dbCredentials: { url: 'file:../../data/scheduler.db' },
});
