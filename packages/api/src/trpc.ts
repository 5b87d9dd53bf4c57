import { ValidationError } from '@api-scheduler/core';
import { TRPCError, initTRPC } from '@trpc/server';
import superjson from 'superjson';

import type { ApiContext } from './context.js';
import { INTERNAL_ERROR_MESSAGE, describeErrorForLog, toApiError, validationIssuesOf } from './errors.js';
import { ProtoKeyInput, inputTransformer } from './input-transformer.js';

const t = initTRPC.context<ApiContext>().create({
  transformer: { input: inputTransformer, output: superjson },
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

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors).use(rejectUndecodableInput);
export const createCallerFactory = t.createCallerFactory;
