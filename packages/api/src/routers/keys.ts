import { generateApiKey, newId } from '@api-scheduler/core';
import { z } from 'zod';

import { idInput } from '../schemas/common.js';
import { apiKeyOutput, createApiKeyInput, createdApiKeyOutput, toApiKeyOutput } from '../schemas/api-key.js';
import { adminProcedure, router } from '../trpc.js';

export const keysRouter = router({
  list: adminProcedure
    .input(z.void())
    .output(z.array(apiKeyOutput))
    .query(async ({ ctx }) => (await ctx.store.listApiKeys()).map(toApiKeyOutput)),

  create: adminProcedure
    .input(createApiKeyInput)
    .output(createdApiKeyOutput)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.clock.now();
      const { key, prefix, hash } = generateApiKey();
      const created = await ctx.store.createApiKey({
        id: newId(now),
        name: input.name,
        prefix,
        hash,
        scope: input.scope,
        created_at: new Date(now),
        last_used_at: null,
        revoked_at: null,
      });
      await ctx.auth?.keysChanged();
      ctx.logger.info({ key_id: created.id, prefix, scope: created.scope, by_key_id: ctx.principal.keyId }, 'API key created');
      return { ...toApiKeyOutput(created), key };
    }),

  revoke: adminProcedure
    .input(idInput)
    .output(apiKeyOutput)
    .mutation(async ({ ctx, input }) => {
      const revoked = await ctx.store.revokeApiKey(input.id, new Date(ctx.clock.now()));
      await ctx.auth?.keysChanged(revoked.id);
      ctx.logger.info({ key_id: revoked.id, by_key_id: ctx.principal.keyId }, 'API key revoked');
      return toApiKeyOutput(revoked);
    }),
});
