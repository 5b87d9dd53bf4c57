import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { schedulerWithoutEngine } from '@api-scheduler/api';
import { systemClock } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpServer } from '../src/http/server.js';

/** Builds a page the way SvelteKit's adapter-static writes one: the app starts from an inline script, indented with tabs. */
function sveltekitPage(title: string, marker: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    `  <head><title>${title}</title><link href="/ui/_app/immutable/entry/start.js" rel="modulepreload"></head>`,
    '  <body>',
    '    <div style="display: contents">',
    '\t\t\t<script>',
    '\t\t\t\t{',
    `\t\t\t\t\t__sveltekit_${marker} = { base: "/ui", assets: "/ui" };`,
    '\t\t\t\t\tconst element = document.currentScript.parentElement;',
    '\t\t\t\t\tPromise.all([import("/ui/_app/immutable/entry/start.js")]).then(([kit]) => kit.start(element));',
    '\t\t\t\t}',
    '\t\t\t</script>',
    '\t\t</div>',
    '  </body>',
    '</html>',
  ].join('\n');
}

const PRERENDERED_INDEX = sveltekitPage('Dashboard', 'prerendered');
const FALLBACK = sveltekitPage('API Scheduler', 'fallback');

/** Hashes the inline scripts of a page as the browser does: SHA-256 of the exact text between the tags, base64. */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => createHash('sha256').update(match[1]!, 'utf8').digest('base64'));
}

function scriptSource(response: Response): string {
  const policy = response.headers.get('content-security-policy') ?? '';
  return policy.split(';').map((directive) => directive.trim()).find((directive) => directive.startsWith('script-src ')) ?? '';
}

interface Running {
  server: Server;
  store: Store;
  base: string;
}

let folder: string;
const running: Running[] = [];

async function start(uiDir: string): Promise<string> {
  const store = await createLibsqlStore({ url: pathToFileURL(join(folder, `ui-${running.length}.db`)).href });
  await store.migrate();
  const logger = pino({ level: 'silent' });
  const context = { store, clock: systemClock, logger, scheduler: schedulerWithoutEngine, instanceId: 'ui-test', startedAt: Date.now() };

  const server = createHttpServer({ context, uiDir, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  running.push({ server, store, base });
  return base;
}

/** Writes a build folder with the given pages and one script under _app/immutable. */
async function writeBuild(name: string, pages: Record<string, string>): Promise<string> {
  const dir = join(folder, name);
  await mkdir(join(dir, '_app', 'immutable', 'entry'), { recursive: true });
  await writeFile(join(dir, '_app', 'immutable', 'entry', 'start.js'), 'export function start() {}');
  for (const [file, html] of Object.entries(pages)) await writeFile(join(dir, file), html);
  return dir;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'api-scheduler-ui-'));
});

afterAll(async () => {
  for (const { server, store } of running) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  }
  await rm(folder, { recursive: true, force: true });
});

describe('web UI files', () => {
  it('redirects / to /ui/', async () => {
    const base = await start(await writeBuild('redirect', { 'index.html': FALLBACK }));

    const response = await fetch(`${base}/`, { redirect: 'manual' });

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/ui/');
  });

  it('serves client routes from index.html with its script hash', async () => {
    const base = await start(await writeBuild('index-fallback', { 'index.html': FALLBACK }));
    const [hash] = inlineScriptHashes(FALLBACK);

    for (const path of ['/ui/', '/ui/targets', '/ui/schedules/some-id', '/ui/runs', '/ui/login']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(FALLBACK);
      expect(scriptSource(response), path).toBe(`script-src 'self' 'sha256-${hash}'`);
    }
  });

  it('prefers 200.html to a prerendered index.html for client routes', async () => {
    const base = await start(await writeBuild('spa-fallback', { 'index.html': PRERENDERED_INDEX, '200.html': FALLBACK }));

    const index = await fetch(`${base}/ui/`);
    expect(await index.text()).toBe(PRERENDERED_INDEX);
    expect(scriptSource(index)).toBe(`script-src 'self' 'sha256-${inlineScriptHashes(PRERENDERED_INDEX)[0]}'`);

    const route = await fetch(`${base}/ui/schedules/some-id`);
    expect(await route.text()).toBe(FALLBACK);
    expect(scriptSource(route)).toBe(`script-src 'self' 'sha256-${inlineScriptHashes(FALLBACK)[0]}'`);
  });

  it('reads a page again after a new build', async () => {
    const dir = await writeBuild('rebuilt', { 'index.html': FALLBACK });
    const base = await start(dir);
    expect(await (await fetch(`${base}/ui/`)).text()).toBe(FALLBACK);

    const rebuilt = sveltekitPage('API Scheduler', 'rebuilt-with-a-longer-marker');
    await writeFile(join(dir, 'index.html'), rebuilt);
    const response = await fetch(`${base}/ui/schedules/some-id`);

    expect(await response.text()).toBe(rebuilt);
    expect(scriptSource(response)).toContain(inlineScriptHashes(rebuilt)[0]);
  });

  it('answers 404 for a missing asset instead of the page', async () => {
    const base = await start(await writeBuild('missing-asset', { 'index.html': FALLBACK }));

    expect((await fetch(`${base}/ui/_app/immutable/entry/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/ui/_app/immutable/entry/start.js`)).status).toBe(200);
  });

  it('allows the inline scripts of the real build by hash', async (context) => {
    const built = fileURLToPath(new URL('../../web/build', import.meta.url));
    if (!existsSync(join(built, 'index.html'))) context.skip('apps/web is not built');
    const base = await start(built);

    for (const path of ['/ui/', '/ui/schedules/some-id']) {
      const response = await fetch(`${base}${path}`);
      const html = await response.text();
      const hashes = inlineScriptHashes(html);

      expect(response.status, path).toBe(200);
      expect(hashes.length, `${path} starts the app with an inline script`).toBeGreaterThan(0);
      expect(scriptSource(response), path).toBe(`script-src 'self' ${hashes.map((hash) => `'sha256-${hash}'`).join(' ')}`);
      expect(response.headers.get('content-security-policy'), path).toContain("connect-src 'self'");
    }
  });
});
