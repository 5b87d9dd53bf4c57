import { z } from 'zod';

/** Body of a 422, as FastAPI shapes it: loc starts with "body", "query" or "path". */
export const validationErrorBody = z.object({
  detail: z.array(
    z.object({
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      type: z.string(),
    }),
  ),
});

/** Body of every other error response. */
export const errorBody = z.object({ detail: z.string() });

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): RestResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(status: number, detail: string, headers: Record<string, string> = {}): RestResponse {
  return jsonResponse(status, { detail } satisfies z.output<typeof errorBody>, headers);
}

export function validationResponse(detail: z.output<typeof validationErrorBody>['detail']): RestResponse {
  return jsonResponse(422, { detail } satisfies z.output<typeof validationErrorBody>);
}

export function methodNotAllowed(methods: readonly string[]): RestResponse {
  const allowed = [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)];
  return errorResponse(405, 'Method Not Allowed', { Allow: allowed.join(', ') });
}
