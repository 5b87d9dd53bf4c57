import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the workspace packages from their TypeScript sources, so a
    // change is tested without a rebuild. The server process under test runs
    // the built files.
    conditions: ['@api-scheduler/source'],
  },
  // Tests run in Vite's SSR environment, which takes its own conditions.
  ssr: {
    resolve: { conditions: ['@api-scheduler/source'], externalConditions: ['@api-scheduler/source'] },
  },
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.mjs'],
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.mjs'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
