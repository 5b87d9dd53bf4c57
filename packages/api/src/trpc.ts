import { initTRPC } from '@trpc/server';
import superjson from 'superjson';

import type { ApiContext } from './context.js';
import { INTERNAL_ERROR_MESSAGE, describeErrorForLog, toApiError, validationIssuesOf } from './errors.js';

const t = initTRPC.context<ApiContext>().create({
  transformer: superjson,
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

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
export const createCallerFactory = t.createCallerFactory;
