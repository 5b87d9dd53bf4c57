import { TRPCError } from '@trpc/server';

import type { ApiContext } from '../context.js';
import { OPEN_ACCESS } from './authenticator.js';
import type { Principal } from './authenticator.js';

/**
 * Authenticates the request of a procedure call, or throws the TRPCError
 * that the client gets: UNAUTHORIZED with a WWW-Authenticate header, or
 * TOO_MANY_REQUESTS with Retry-After. A context without an authenticator
 * gets full access.
 */
export async function authenticateOrThrow(ctx: ApiContext): Promise<Principal> {
  if (ctx.auth === undefined) return OPEN_ACCESS;

  const result = await ctx.auth.authenticate(ctx.request);
  if (result.ok) return result.principal;

  const { failure } = result;
  const responseHeaders = ctx.request?.responseHeaders;
  if (failure.code === 'TOO_MANY_REQUESTS') {
    if (responseHeaders) responseHeaders['Retry-After'] = String(failure.retryAfterSeconds);
  } else if (responseHeaders) {
    // RFC 6750: error="invalid_token" marks credentials that were sent but are wrong, as opposed to missing.
    responseHeaders['WWW-Authenticate'] = failure.invalidToken ? 'Bearer realm="api-scheduler", error="invalid_token"' : 'Bearer realm="api-scheduler"';
  }
  throw new TRPCError({ code: failure.code, message: failure.message });
}
