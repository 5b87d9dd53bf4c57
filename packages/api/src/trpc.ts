import { ValidationError, scopeAllows } from '@api-scheduler/core';
import type { ApiKeyScope } from '@api-scheduler/core';
import { TRPCError, initTRPC } from '@trpc/server';
import superjson from 'superjson';

import { authenticateOrThrow } from './auth/authenticate-or-throw.js';
import { originMatchesHost } from './auth/request-info.js';
import type { ApiContext } from './context.js';
import { INTERNAL_ERROR_MESSAGE, describeErrorForLog, toApiError, validationIssuesOf } from './errors.js';
import { ProtoKeyInput, inputTransformer } from './input-transformer.js';

const t = initTRPC.context<ApiContext>().create({
  transformer: { input: inputTransformer, output: superjson },
  sse: {
    // A comment line every 15 s keeps idle streams open through proxies, and
    // the client reconnects when it hears nothing for 40 s.
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
    // Credentials are checked when a stream opens. Ending every stream after
    // 15 minutes makes the client reconnect, so a revoked key or an expired
    // session stops receiving runs by then.
    maxDurationMs: 15 * 60_000,
  },
  errorFormatter({ shape, error }) {
    // The stack stays on the server, and so does the message of an unexpected failure.
    const { stack: _stack, ...data } = shape.data;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      message: internal ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: { ...data, issues: validationIssuesOf(error.cause) },
    };
  },
});

/** The one place where errors thrown by procedures become tRPC error codes. */
const mapErrors = t.middleware(async ({ ctx, path, type, getRawInput, next }) => {
  const result = await next();
  if (result.ok) return result;

  const rawInput = await getRawInput().catch(() => undefined);
  throw toApiError(result.error, rawInput, (cause) => {
    ctx.logger.error({ err: describeErrorForLog(cause), path, type }, 'Procedure failed');
  });
});

/**
 * Rejects inputs that are not what the client sent as JSON. An input that
 * tRPC read from a multipart/form-data or application/octet-stream request
 * gets 415: every procedure takes JSON, and zod would report the methods of
 * the FormData or ReadableStream (append, getReader…) as unknown keys that
 * the client never sent. An input with a "__proto__" key, which superjson
 * would drop, gets 422 at that key.
 */
const rejectUndecodableInput = t.middleware(async ({ getRawInput, next }) => {
  // An input that fails to decode fails the same way in the input parser, which reports it.
  const rawInput = await getRawInput().catch(() => undefined);
  if (rawInput instanceof FormData || rawInput instanceof ReadableStream) {
    throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type: send the input as JSON with Content-Type: application/json' });
  }
  if (rawInput instanceof ProtoKeyInput) {
    throw ValidationError.at(rawInput.path, 'Unrecognized key "__proto__": it is a reserved name', 'unrecognized_keys');
  }
  return next();
});

/**
 * Authenticates the request and checks that its key's scope covers
 * `required`: 401 without valid credentials, 429 while the address is
 * blocked after failed attempts, 403 for a smaller scope. A change made with
 * a session cookie must also come from a page of this server (its Origin,
 * when sent, matches Host), so another site cannot make a signed-in browser
 * send it. Runs before the input is parsed, so a caller without access
 * learns nothing from validation errors.
 */
function requireScope(required: ApiKeyScope) {
  return t.middleware(async ({ ctx, type, next }) => {
    const principal = await authenticateOrThrow(ctx);

    if (principal.via === 'session' && type === 'mutation' && !originMatchesHost(ctx.request!)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Cross-site request rejected: the Origin header does not match the Host of this server' });
    }
    if (!scopeAllows(principal.scope, required)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `Forbidden: this request needs an API key with scope ${required}, and the key used has scope ${principal.scope}` });
    }
    return next({ ctx: { principal } });
  });
}

const baseProcedure = t.procedure.use(mapErrors);

export const router = t.router;
/** Needs no credentials: health checks and the sign-in procedures. */
export const publicProcedure = baseProcedure.use(rejectUndecodableInput);
/** Reads state: any valid key. */
export const readProcedure = baseProcedure.use(requireScope('read')).use(rejectUndecodableInput);
/** Changes targets and schedules: a write or admin key. */
export const writeProcedure = baseProcedure.use(requireScope('write')).use(rejectUndecodableInput);
/** Manages API keys: an admin key. */
export const adminProcedure = baseProcedure.use(requireScope('admin')).use(rejectUndecodableInput);
export const createCallerFactory = t.createCallerFactory;
