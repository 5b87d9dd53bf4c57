import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

import type { AppRouter } from './generated/app-router.js';

/** The input of every procedure, by path: `RouterInputs['schedules']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** The output of every procedure, by path: `RouterOutputs['runs']['get']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type Target = RouterOutputs['targets']['get'];
export type Schedule = RouterOutputs['schedules']['get'];
export type Run = RouterOutputs['runs']['get'];
/** One event of the runs.onRun subscription: a run that started, or one that finished. */
export type RunChange = RouterOutputs['runs']['onRun'] extends AsyncIterable<infer Change> ? Change : never;

export type CreateTargetInput = RouterInputs['targets']['create'];
export type CreateScheduleInput = RouterInputs['schedules']['create'];
export type ListRunsInput = RouterInputs['runs']['list'];
