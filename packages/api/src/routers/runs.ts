import { NotFoundError, ValidationError, listRunsInput } from '@api-scheduler/core';

import { idInput, pageOutput } from '../schemas/common.js';
import { runOutput, toRunOutput } from '../schemas/run.js';
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
});
