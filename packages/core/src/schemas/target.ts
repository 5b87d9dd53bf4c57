import { z } from 'zod';

import { HTTP_METHODS } from './enums.js';
import { LIMITS } from './limits.js';

const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values may not carry CR, LF or NUL: they would split the request.
const headerValuePattern = /^[^\r\n\0]*$/;

export const targetUrlSchema = z
  .string()
  .trim()
  .min(1, 'URL is required')
  .max(LIMITS.urlLength, `URL is longer than ${LIMITS.urlLength} characters`)
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
  });

export const httpMethodSchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(HTTP_METHODS, { error: `Method must be one of ${HTTP_METHODS.join(', ')}` }));

export const headersSchema = z
  .record(
    z
      .string()
      .max(LIMITS.headerNameLength, `Header names are limited to ${LIMITS.headerNameLength} characters`)
      .regex(headerNamePattern, 'Header names may contain only letters, digits and !#$%&\'*+-.^_`|~'),
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
  .refine((headers) => Object.keys(headers).length <= LIMITS.headerCount, {
    message: `At most ${LIMITS.headerCount} headers are allowed`,
  });

export const bodyTemplateSchema = z
  .string()
  .refine((value) => Buffer.byteLength(value) <= LIMITS.bodyTemplateBytes, {
    message: `Body is larger than ${LIMITS.bodyTemplateBytes} bytes`,
  });

export const timeoutMsSchema = z
  .number()
  .int('timeout_ms must be a whole number of milliseconds')
  .min(LIMITS.minTimeoutMs, `timeout_ms must be at least ${LIMITS.minTimeoutMs}`)
  .max(LIMITS.maxTimeoutMs, `timeout_ms must be at most ${LIMITS.maxTimeoutMs}`);

export const targetNameSchema = z.string().trim().min(1, 'Name may not be empty').max(LIMITS.nameLength);

export const createTargetInput = z.strictObject({
  name: targetNameSchema.optional(),
  url: targetUrlSchema,
  method: httpMethodSchema.default('GET'),
  headers: headersSchema.default({}),
  body_template: bodyTemplateSchema.nullable().default(null),
  timeout_ms: timeoutMsSchema.default(LIMITS.defaultTimeoutMs),
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
  created_at: Date;
  updated_at: Date;
}

/** Default name of a target created without one: its host and path. */
export function defaultTargetName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`.slice(0, LIMITS.nameLength);
}
