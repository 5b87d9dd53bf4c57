import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// Scripts only from this origin, no inline script, nothing may frame the
// pages. Inline styles stay allowed, because Svelte transitions and Swagger
// UI set style attributes; styles cannot run code.
const CSP_DIRECTIVES: ReadonlyArray<[string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

/** Builds the Content-Security-Policy, allowing the inline scripts with these SHA-256 hashes (base64). */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return CSP_DIRECTIVES.map(([name, value]) => {
    if (name !== 'script-src' || scriptHashes.length === 0) return `${name} ${value}`;
    return `${name} ${value} ${scriptHashes.map((hash) => `'sha256-${hash}'`).join(' ')}`;
  }).join('; ');
}

/**
 * Sets the security headers of every response, API and UI alike. A later
 * writeHead may replace the Content-Security-Policy, as the UI's HTML files
 * do to allow their own inline scripts by hash.
 */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', contentSecurityPolicy());
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

const INLINE_SCRIPT_PATTERN = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/**
 * Returns the SHA-256 hashes (base64) of the inline scripts of an HTML page,
 * as CSP script-src expects them. SvelteKit's static build starts the app
 * with one inline script, which a hash allows without 'unsafe-inline'.
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(INLINE_SCRIPT_PATTERN)) {
    const attributes = match[1] ?? '';
    const content = match[2] ?? '';
    if (/\bsrc\s*=/i.test(attributes) || content === '') continue;
    hashes.push(createHash('sha256').update(content, 'utf8').digest('base64'));
  }
  return hashes;
}
