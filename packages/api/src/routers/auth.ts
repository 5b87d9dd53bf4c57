import { TRPCError } from '@trpc/server';
import { z } from 'zod';

import { authenticateOrThrow } from '../auth/authenticate-or-throw.js';
import { cameOverHttps, clearedSessionCookie, originMatchesHost, sessionCookie } from '../auth/request-info.js';
import type { RequestInfo } from '../auth/request-info.js';
import type { ApiContext } from '../context.js';
import { sessionOutput, signInInput, signInOutput } from '../schemas/api-key.js';
import { publicProcedure, router } from '../trpc.js';

/** Returns the HTTP request of a sign-in or sign-out, which only HTTP callers can make: a cookie needs a response. */
function httpRequestOf(ctx: ApiContext): RequestInfo {
  if (ctx.request === undefined || ctx.auth === undefined) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Sessions need an HTTP request with authentication set up: call this over HTTP' });
  }
  if (!originMatchesHost(ctx.request)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Cross-site request rejected: the Origin header does not match the Host of this server' });
  }
  return ctx.request;
}

export const authRouter = router({
  signIn: publicProcedure
    .input(signInInput)
    .output(signInOutput)
    .mutation(async ({ ctx, input }) => {
      const request = httpRequestOf(ctx);
      const result = await ctx.auth!.signIn(input.key, request);
      if (!result.ok) {
        if (result.failure.code === 'TOO_MANY_REQUESTS') request.responseHeaders['Retry-After'] = String(result.failure.retryAfterSeconds);
        throw new TRPCError({ code: result.failure.code, message: result.failure.message });
      }

      const maxAgeSeconds = Math.floor((result.expiresAt.getTime() - ctx.clock.now()) / 1000);
      request.responseHeaders['Set-Cookie'] = sessionCookie(result.sessionId, maxAgeSeconds, cameOverHttps(request));
      return { scope: result.principal.scope, expires_at: result.expiresAt };
    }),

  signOut: publicProcedure
    .input(z.void())
    .output(z.void())
    .mutation(({ ctx }) => {
      const request = httpRequestOf(ctx);
      ctx.auth!.signOut(request);
      request.responseHeaders['Set-Cookie'] = clearedSessionCookie(cameOverHttps(request));
    }),

  session: publicProcedure
    .input(z.void())
    .output(sessionOutput)
    .query(async ({ ctx }) => {
      const authRequired = ctx.auth === undefined ? false : await ctx.auth.isRequired();
      try {
        const principal = await authenticateOrThrow(ctx);
        const via = principal.via === 'open' ? null : principal.via;
        return { auth_required: authRequired, authenticated: via !== null, via, scope: principal.scope };
      } catch (error) {
        // Not being signed in is a valid result here, not an error. A blocked address still gets its 429.
        if (error instanceof TRPCError && error.code === 'UNAUTHORIZED') {
          delete ctx.request?.responseHeaders['WWW-Authenticate'];
          return { auth_required: authRequired, authenticated: false, via: null, scope: null };
        }
        throw error;
      }
    }),
});
