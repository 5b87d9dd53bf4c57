import type { AnyProcedure, AnyRouter } from '@trpc/server';

import { authRouter } from './routers/auth.js';
import { keysRouter } from './routers/keys.js';
import { metricsRouter } from './routers/metrics.js';
import { runsRouter } from './routers/runs.js';
import { schedulesRouter } from './routers/schedules.js';
import { systemRouter } from './routers/system.js';
import { targetsRouter } from './routers/targets.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  targets: targetsRouter,
  schedules: schedulesRouter,
  runs: runsRouter,
  metrics: metricsRouter,
  keys: keysRouter,
  auth: authRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process, with no HTTP in between: `createCaller(ctx).targets.list({})`. */
export const createCaller = createCallerFactory(appRouter);

type PathsOf<Record> = {
  [Key in keyof Record & string]: Record[Key] extends AnyProcedure
    ? Key
    : Record[Key] extends AnyRouter
      ? `${Key}.${PathsOf<Record[Key]['_def']['record']>}`
      : Record[Key] extends object
        ? `${Key}.${PathsOf<Record[Key]>}`
        : never;
}[keyof Record & string];

/** The dotted path of every procedure, such as "schedules.pause". */
export type ProcedurePath = PathsOf<AppRouter['_def']['record']>;
