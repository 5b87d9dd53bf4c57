import { defineConfig } from 'drizzle-kit';

// Generates the PostgreSQL migrations from the schema (pnpm db:generate:pg).
// The store applies them itself at start; dbCredentials serves only
// `drizzle-kit studio` and points at the local default server.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/postgres/schema.ts',
  out: './migrations/postgres',
  dbCredentials: { url: 'postgres://postgres@127.0.0.1:5432/postgres' },
});
