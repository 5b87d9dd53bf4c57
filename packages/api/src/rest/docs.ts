import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { errorResponse, methodNotAllowed } from './responses.js';
import type { RestResponse } from './responses.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Only these files of swagger-ui-dist are served, so a request cannot name any other file.
const assetTypes = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui.css.map', 'application/json'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['swagger-ui-bundle.js.map', 'application/json'],
  ['favicon-16x16.png', 'image/png'],
  ['favicon-32x32.png', 'image/png'],
]);

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>API Scheduler: REST API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;

// validatorUrl null: by default Swagger UI sends the document to validator.swagger.io.
const initializer = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
});
`;

const assetCache = new Map<string, Buffer>();

async function readAsset(name: string): Promise<Buffer> {
  let content = assetCache.get(name);
  if (!content) {
    content = await readFile(join(swaggerUiDir, name));
    assetCache.set(name, content);
  }
  return content;
}

const commonHeaders = { 'X-Content-Type-Options': 'nosniff' };

/** Serves /docs (Swagger UI over /openapi.json) and its files, all from this machine. */
export async function serveDocs(method: string, path: string): Promise<RestResponse> {
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(['GET']);

  if (path === '/docs') {
    return { status: 200, headers: { ...commonHeaders, 'Content-Type': 'text/html; charset=utf-8' }, body: page };
  }

  const name = path.slice('/docs/'.length);
  if (name === 'swagger-initializer.js') {
    return { status: 200, headers: { ...commonHeaders, 'Content-Type': 'text/javascript; charset=utf-8' }, body: initializer };
  }

  const contentType = assetTypes.get(name);
  if (contentType === undefined) return errorResponse(404, 'Not Found');
  return {
    status: 200,
    headers: { ...commonHeaders, 'Content-Type': contentType, 'Cache-Control': 'public, max-age=86400' },
    body: await readAsset(name),
  };
}
