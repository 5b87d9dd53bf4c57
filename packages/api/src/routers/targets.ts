import {
  MASK,
  NotFoundError,
  ValidationError,
  createTargetInput,
  defaultTargetName,
  isSecretHeaderName,
  newId,
  pageInput,
  unsentBodyMessage,
  updateTargetInput,
} from '@api-scheduler/core';
import { z } from 'zod';

import { idInput, pageOutput } from '../schemas/common.js';
import { targetOutput, toTargetOutput } from '../schemas/target.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';

/**
 * Keeps the stored value of each secret header that a patch sends back as
 * the mask, so a client can return the headers it read without erasing the
 * secrets it was never shown.
 */
function keepMaskedSecrets(patch: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(patch)) {
    const previous = storedByName.get(name.toLowerCase());
    merged[name] = value === MASK && isSecretHeaderName(name) && previous !== undefined ? previous : value;
  }
  return merged;
}

export const targetsRouter = router({
  list: readProcedure
    .input(pageInput)
    .output(pageOutput(targetOutput))
    .query(async ({ ctx, input }) => {
      const page = await ctx.store.listTargets(input);
      return { items: page.items.map(toTargetOutput), next_cursor: page.next_cursor };
    }),

  get: readProcedure
    .input(idInput)
    .output(targetOutput)
    .query(async ({ ctx, input }) => {
      const target = await ctx.store.getTarget(input.id);
      if (!target) throw new NotFoundError('target', input.id);
      return toTargetOutput(target);
    }),

  create: writeProcedure
    .input(createTargetInput)
    .output(targetOutput)
    .mutation(async ({ ctx, input }) => {
      const bodyMessage = unsentBodyMessage(input.method, input.body_template);
      if (bodyMessage !== null) throw ValidationError.at(['body_template'], bodyMessage);

      const now = ctx.clock.now();
      const target = await ctx.store.createTarget({
        ...input,
        id: newId(now),
        name: input.name ?? defaultTargetName(input.url),
        created_at: new Date(now),
        updated_at: new Date(now),
      });
      return toTargetOutput(target);
    }),

  update: writeProcedure
    .input(updateTargetInput.extend(idInput.shape))
    .output(targetOutput)
    .mutation(async ({ ctx, input }) => {
      const { id, ...patch } = input;
      const existing = await ctx.store.getTarget(id);
      if (!existing) throw new NotFoundError('target', id);

      // A patch that sets the method or the body is checked as the pair will
      // be stored. One that sets neither passes, so a target stored before
      // this check existed can still be renamed.
      if (patch.method !== undefined || patch.body_template !== undefined) {
        const method = patch.method ?? existing.method;
        const bodyTemplate = patch.body_template === undefined ? existing.body_template : patch.body_template;
        const bodyMessage = unsentBodyMessage(method, bodyTemplate);
        if (bodyMessage !== null) {
          throw ValidationError.at([patch.body_template === undefined ? 'method' : 'body_template'], bodyMessage);
        }
      }

      if (patch.headers !== undefined) patch.headers = keepMaskedSecrets(patch.headers, existing.headers);
      const target = await ctx.store.updateTarget(id, { ...patch, updated_at: new Date(ctx.clock.now()) });
      return toTargetOutput(target);
    }),

  delete: writeProcedure
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      // The store raises ConflictError, naming the schedules, while any schedule uses the target.
      await ctx.store.deleteTarget(input.id);
    }),
});
