import { z } from 'zod';

import { HTTP_METHODS, methodSendsBody } from './enums.js';
import type { HttpMethod } from './enums.js';
import { LIMITS } from './limits.js';
import { numberField } from './number-field.js';
import { isReservedObjectKey, rejectProtoKey } from './reserved-keys.js';

const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values may not carry CR, LF or NUL: they would split the request.
const headerValuePattern = /^[^\r\n\0]*$/;
// The characters that undici 7 accepts in a header value (its headerCharRegex
// in lib/core/util.js): tab, U+0020–U+007E and U+0080–U+00FF. It rejects a
// request with any other, so such a value would fail every fire.
const unsendableHeaderCharPattern = /[^\t\x20-\x7e\x80-\xff]/u;
// libSQL cuts text at a NUL character, so a stored string would lose its tail.
const nulPattern = /\0/;
// TextEncoder rather than Buffer, so the web UI can run this schema in a browser.
const utf8 = new TextEncoder();

export const targetUrlSchema = z
  .string()
  .trim()
  .min(1, { message: 'URL is required', abort: true })
  .max(LIMITS.urlLength, { message: `URL is longer than ${LIMITS.urlLength} characters`, abort: true })
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `Invalid URL "${value}": expected an absolute http:// or https:// URL` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `Unsupported URL scheme "${url.protocol.slice(0, -1)}": only http and https are allowed` });
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'Credentials in the URL are not allowed: send them in a header, such as Authorization' });
    }
    // WHATWG URL parsing already rejects ports above 65535.
    if (url.port === '0') {
      ctx.addIssue({ code: 'custom', message: 'Invalid URL port 0: use a port from 1 to 65535, or none for the default port' });
    }
  });

export const httpMethodSchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(HTTP_METHODS, { error: `Method must be one of ${HTTP_METHODS.join(', ')}` }));

/** Describes the first character of a header value that undici cannot send, or returns null when it can send them all. */
function unsendableCharacterOf(value: string): string | null {
  const match = unsendableHeaderCharPattern.exec(value);
  if (match === null) return null;

  const codePoint = match[0].codePointAt(0)!;
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return codePoint > 0xff ? `"${match[0]}" (${code})` : `the control character ${code}`;
}

const reservedHeaderNameMessage = (name: string): string =>
  `Header name "${name}" is not supported: __proto__, constructor and prototype are reserved names`;

const headerRecordSchema = z
  .record(
    z
      .string()
      .max(LIMITS.headerNameLength, `Header names are limited to ${LIMITS.headerNameLength} characters`)
      .regex(headerNamePattern, 'Header names may contain only letters, digits and !#$%&\'*+-.^_`|~')
      .refine((name) => !isReservedObjectKey(name), { error: (issue) => reservedHeaderNameMessage(String(issue.input)) }),
    z
      .string()
      .max(LIMITS.headerValueLength, `Header values are limited to ${LIMITS.headerValueLength} characters`)
      .regex(headerValuePattern, 'Header values may not contain line breaks or NUL'),
    {
      // zod reports a rejected key as "Invalid key in record". Pass on the key
      // schema's own message instead, because it lists the allowed characters.
      error: (issue) => (issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined),
    },
  )
  // A check of the whole record, unlike one of the value schema, has the
  // header's name for its message. zod skips it when a name failed its
  // checks, but not when a value did, so it skips such values itself.
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      if (value.length > LIMITS.headerValueLength || !headerValuePattern.test(value)) continue;
      const character = unsendableCharacterOf(value);
      if (character === null) continue;
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `Header "${name}" cannot be sent: its value contains ${character}, and header values may contain only tab and the Latin-1 characters U+0020 to U+00FF except U+007F`,
      });
    }
  })
  .refine((headers) => Object.keys(headers).length <= LIMITS.headerCount, {
    message: `At most ${LIMITS.headerCount} headers are allowed`,
  });

export const headersSchema = rejectProtoKey<Record<string, string>, typeof headerRecordSchema>(headerRecordSchema, {
  code: 'invalid_key',
  message: reservedHeaderNameMessage('__proto__'),
});

export const bodyTemplateSchema = z
  .string()
  .refine((value) => utf8.encode(value).length <= LIMITS.bodyTemplateBytes, {
    message: `Body is larger than ${LIMITS.bodyTemplateBytes} bytes`,
    abort: true,
  })
  .refine((value) => !nulPattern.test(value), { message: 'Body may not contain the NUL character (U+0000)' });

export const signingSecretSchema = z
  .string({ error: 'signing_secret must be a string' })
  .min(16, { message: 'signing_secret must be at least 16 characters long; generate one with: openssl rand -hex 32', abort: true })
  .max(512, { message: 'signing_secret is longer than 512 characters', abort: true })
  .regex(/^[\x21-\x7e]+$/, 'signing_secret may contain only printable ASCII characters without spaces');

export const timeoutMsSchema = numberField('timeout_ms', { min: LIMITS.minTimeoutMs, max: LIMITS.maxTimeoutMs, unit: 'milliseconds' });

export const targetNameSchema = z
  .string({ error: 'Name must be a string' })
  .trim()
  .min(1, { message: 'Name may not be empty', abort: true })
  .max(LIMITS.nameLength, { message: `Name is longer than ${LIMITS.nameLength} characters`, abort: true })
  .refine((value) => !nulPattern.test(value), { message: 'Name may not contain the NUL character (U+0000)' });

/**
 * Returns the message for a body_template that would not be sent, because
 * `method` sends no body, or null when the pair is fine. The executor sends
 * GET, HEAD and OPTIONS requests without a body. The targets router applies
 * it, because a patch must be checked together with the stored target, and
 * the schemas stay free of object-level checks, which zod's extend and omit reject.
 */
export function unsentBodyMessage(method: HttpMethod, bodyTemplate: string | null): string | null {
  if (bodyTemplate === null || methodSendsBody(method)) return null;
  return `A ${method} target cannot have a body_template, because ${method} requests are sent without a body: set body_template to null, or use POST, PUT, PATCH or DELETE`;
}

export const createTargetInput = z.strictObject({
  name: targetNameSchema.optional(),
  url: targetUrlSchema,
  method: httpMethodSchema.default('GET'),
  headers: headersSchema.default({}),
  body_template: bodyTemplateSchema.nullable().default(null),
  timeout_ms: timeoutMsSchema.default(LIMITS.defaultTimeoutMs),
  /** HMAC-SHA256 key that signs every request to the target; write-only, never returned. */
  signing_secret: signingSecretSchema.nullable().default(null),
});
export type CreateTargetInput = z.input<typeof createTargetInput>;
export type CreateTarget = z.output<typeof createTargetInput>;

export const updateTargetInput = z.strictObject({
  name: targetNameSchema.optional(),
  url: targetUrlSchema.optional(),
  method: httpMethodSchema.optional(),
  headers: headersSchema.optional(),
  body_template: bodyTemplateSchema.nullable().optional(),
  timeout_ms: timeoutMsSchema.optional(),
  /** A new signing secret, or null to stop signing. */
  signing_secret: signingSecretSchema.nullable().optional(),
});
export type UpdateTarget = z.output<typeof updateTargetInput>;

export interface Target {
  id: string;
  name: string;
  url: string;
  method: (typeof HTTP_METHODS)[number];
  headers: Record<string, string>;
  body_template: string | null;
  timeout_ms: number;
  /** Key that signs every request, or null for unsigned requests; encrypted when SCHEDULER_SECRET_KEY is set. */
  signing_secret: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Default name of a target created without one: its host and path. */
export function defaultTargetName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`.slice(0, LIMITS.nameLength);
}
