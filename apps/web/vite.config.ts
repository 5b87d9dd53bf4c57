import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The workspace packages are bundled from their TypeScript sources, so the
// UI needs no build of packages/core first and validates with the same schemas.
const sourceCondition = '@api-scheduler/source';

export default defineConfig({
  plugins: [sveltekit()],
  resolve: { conditions: [sourceCondition, 'browser', 'module', 'import', 'default'] },
  ssr: { resolve: { conditions: [sourceCondition], externalConditions: [sourceCondition] } },
});
