import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { contentSecurityPolicy, inlineScriptHashes } from './security-headers.js';
import { sendJson } from './send.js';

const contentTypes = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json'],
  ['.map', 'application/json'],
  ['.webmanifest', 'application/manifest+json'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.xml', 'application/xml'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.avif', 'image/avif'],
  ['.ico', 'image/x-icon'],
  ['.woff', 'font/woff'],
  ['.woff2', 'font/woff2'],
  ['.wasm', 'application/wasm'],
]);

/** Splits the part of a raw request path after `prefix` into decoded segments. Returns null when a segment is unsafe. */
export function safeSegments(rawPath: string, prefix: string): string[] | null {
  const segments: string[] = [];
  for (const raw of rawPath.slice(prefix.length).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // Rejected rather than normalized: ".." or an encoded separator in a
    // file path only ever comes from an attempt to leave the folder.
    if (segment === '..' || segment === '.' || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

async function fileAt(path: string): Promise<string | null> {
  try {
    const stats = await stat(path);
    if (stats.isFile()) return path;
    if (stats.isDirectory()) return fileAt(join(path, 'index.html'));
    return null;
  } catch {
    return null;
  }
}

/**
 * Names that SvelteKit's adapter-static `fallback` option is commonly given,
 * in the order they are tried. 200.html and fallback.html come first: a build
 * that names one of them may also prerender index.html as a real page, which
 * must not stand in for other routes.
 */
const FALLBACK_PAGES = ['200.html', 'fallback.html', 'index.html'];

/**
 * Finds the file for the segments: the file itself, a folder's index.html,
 * or a prerendered page's .html. A path whose last segment has no extension
 * is a client-side route, so it falls back to the app's fallback page.
 */
async function resolveFile(root: string, segments: string[]): Promise<string | null> {
  const path = join(root, ...segments);
  const last = segments[segments.length - 1] ?? '';

  const found = (await fileAt(path)) ?? (last !== '' && extname(last) === '' ? await fileAt(`${path}.html`) : null);
  if (found) return found;
  if (extname(last) !== '') return null;
  for (const name of FALLBACK_PAGES) {
    const fallback = await fileAt(join(root, name));
    if (fallback) return fallback;
  }
  return null;
}

interface HtmlPage {
  mtimeMs: number;
  size: number;
  body: Buffer;
  contentSecurityPolicy: string;
}

/**
 * HTML pages read so far, with the policy that allows their inline scripts,
 * by real path. An entry is read again when the file's size or mtime
 * changes, as after a new build.
 */
const htmlPages = new Map<string, HtmlPage>();

async function readHtmlPage(path: string): Promise<HtmlPage> {
  const stats = await stat(path);
  const cached = htmlPages.get(path);
  if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached;

  const body = await readFile(path);
  const page = { mtimeMs: stats.mtimeMs, size: stats.size, body, contentSecurityPolicy: contentSecurityPolicy(inlineScriptHashes(body.toString('utf8'))) };
  htmlPages.set(path, page);
  return page;
}

function cacheControl(segments: string[]): string {
  // SvelteKit puts content-hashed files under _app/immutable/. Every other file may change with a new build.
  return segments[0] === '_app' && segments[1] === 'immutable' ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Serves the built web UI under `prefix` ("/ui/") from `root`, which must be an absolute, real path. */
export async function serveStaticFile(request: IncomingMessage, response: ServerResponse, root: string, rawPath: string, prefix: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, { detail: 'Method Not Allowed' }, { Allow: 'GET, HEAD' });
    return;
  }

  const segments = safeSegments(rawPath, prefix);
  if (segments === null) {
    sendJson(response, 400, { detail: 'Invalid path: segments may not be "..", "." or contain encoded slashes' });
    return;
  }

  const file = await resolveFile(root, segments);
  // A symbolic link inside the folder may point outside it, so its target must be inside too.
  const real = file === null ? null : await realpath(file).catch(() => null);
  if (real === null || !real.startsWith(root + sep)) {
    sendJson(response, 404, { detail: 'Not Found' });
    return;
  }

  const extension = extname(real).toLowerCase();
  const headers: Record<string, string> = {
    'Content-Type': contentTypes.get(extension) ?? 'application/octet-stream',
    'Cache-Control': cacheControl(segments),
    'X-Content-Type-Options': 'nosniff',
  };
  if (extension === '.html') {
    // Pages are small, so each is read whole to allow its own inline scripts by hash.
    const page = await readHtmlPage(real);
    headers['Content-Length'] = String(page.body.length);
    headers['Content-Security-Policy'] = page.contentSecurityPolicy;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : page.body);
    return;
  }

  const stats = await stat(real);
  headers['Content-Length'] = String(stats.size);
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(createReadStream(real), response);
}
