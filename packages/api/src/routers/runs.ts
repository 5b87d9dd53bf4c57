import { NotFoundError, ValidationError, listRunsInput } from '@api-scheduler/core';
import { TRPCError } from '@trpc/server';

import { idInput, pageOutput } from '../schemas/common.js';
import { streamRunChanges } from '../live-runs/stream-run-changes.js';
import { onRunInput, runOutput, toRunOutput } from '../schemas/run.js';
import type { RunChangeOutput } from '../schemas/run.js';
import { readProcedure, router } from '../trpc.js';

export const runsRouter = router({
  /** Runs newest first. */
  list: readProcedure
    .input(listRunsInput)
    .output(pageOutput(runOutput))
    .query(async ({ ctx, input }) => {
      if (input.since !== undefined && input.until !== undefined && input.until < input.since) {
        throw ValidationError.at(['until'], 'until must not be before since', 'value_error');
      }
      const page = await ctx.store.listRuns(input);
      return { items: page.items.map(toRunOutput), next_cursor: page.next_cursor };
    }),

  get: readProcedure
    .input(idInput)
    .output(runOutput)
    .query(async ({ ctx, input }) => {
      const run = await ctx.store.getRun(input.id);
      if (!run) throw new NotFoundError('run', input.id);
      return toRunOutput(run);
    }),

  /**
   * Streams runs as they start and finish, over server-sent events
   * (httpSubscriptionLink). Runs fired by other processes arrive within
   * about a second, through the store polling of RunFeed. Events are not
   * replayed after a reconnect: a client reloads its lists from runs.list.
   * Not part of the REST API.
   */
  onRun: readProcedure
    .input(onRunInput)
    // No .output(): tRPC 11 applies it to a subscription's return value as a whole (the async iterable), not to each event.
    .subscription(async function* ({ ctx, input, signal }): AsyncGenerator<RunChangeOutput> {
      const feed = ctx.runFeed;
      if (!feed) throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Live runs are not available in this process: it was started without a run feed' });

      const scheduleId = input?.schedule_id;
      const changes = streamRunChanges(feed, (change) => scheduleId === undefined || change.run.schedule_id === scheduleId, signal, ctx.logger);
      for await (const change of changes) {
        yield { kind: change.kind, run: toRunOutput(change.run) };
      }
    }),
});
