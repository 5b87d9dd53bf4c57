import { createRequire } from 'node:module';

// One level up from src/ (and from dist/ once built) is the package folder.
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** Version of this package, reported by system.health and in the OpenAPI document. */
export const API_VERSION = packageJson.version;
