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
import { sealHeaders, sealSigningSecret } from '@api-scheduler/engine';
import { z } from 'zod';

import { checkUrlAddress } from '../check-url-address.js';
import { EngineUnavailableError } from '../engine-unavailable-error.js';
import { idInput, pageOutput } from '../schemas/common.js';
import { targetOutput, toTargetOutput } from '../schemas/target.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';

const targetTestOutput = z.object({
  status: z.enum(['SUCCESS', 'FAILURE']),
  status_code: z.number().int().nullable(),
  latency_ms: z.number(),
  response_size: z.number().nullable(),
  response_headers: z.record(z.string(), z.string()).nullable(),
  response_body: z.string().nullable(),
  truncated: z.boolean(),
  error_type: z.string().nullable(),
  error_message: z.string().nullable(),
});

/**
 * Keeps the stored value of each secret header that a patch sent back as
 * the mask, so a client can return the headers it read without erasing the
 * secrets it was never shown. `sealed` is the patch with new secret values
 * encrypted, and `sent` the patch as the client sent it.
 */
function keepMaskedSecrets(
  sealed: Record<string, string>,
  stored: Record<string, string>,
  sent: Record<string, string>,
): Record<string, string> {
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(sealed)) {
    const previous = storedByName.get(name.toLowerCase());
    merged[name] = sent[name] === MASK && isSecretHeaderName(name) && previous !== undefined ? previous : value;
  }
  return merged;
}

/**
 * Rejects a secret header whose value is the mask itself when there is no
 * stored value for the mask to keep: it would be sent as a literal "***".
 */
function rejectUnmatchedMasks(sent: Record<string, string>, stored: Record<string, string>): void {
  const storedNames = new Set(Object.keys(stored).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(sent)) {
    if (value === MASK && isSecretHeaderName(name) && !storedNames.has(name.toLowerCase())) {
      throw ValidationError.at(
        ['headers', name],
        `Header ${name} has the value "${MASK}", which stands for a stored secret, but this target has no stored ${name}: send the real value`,
      );
    }
  }
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
      checkUrlAddress(ctx.addressPolicy, input.url, ['url']);
      rejectUnmatchedMasks(input.headers, {});

      const cipher = ctx.secretCipher ?? null;
      const now = ctx.clock.now();
      const target = await ctx.store.createTarget({
        ...input,
        headers: sealHeaders(input.headers, cipher),
        signing_secret: sealSigningSecret(input.signing_secret, cipher),
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

      if (patch.url !== undefined) checkUrlAddress(ctx.addressPolicy, patch.url, ['url']);

      // New secret values are encrypted, and values sent back as the mask keep the stored (encrypted) value.
      const cipher = ctx.secretCipher ?? null;
      if (patch.headers !== undefined) rejectUnmatchedMasks(patch.headers, existing.headers);
      if (patch.headers !== undefined) patch.headers = keepMaskedSecrets(sealHeaders(patch.headers, cipher), existing.headers, patch.headers);
      if (patch.signing_secret !== undefined) patch.signing_secret = sealSigningSecret(patch.signing_secret, cipher);
      const target = await ctx.store.updateTarget(id, { ...patch, updated_at: new Date(ctx.clock.now()) });
      return toTargetOutput(target);
    }),

  /** Sends the target's request once and returns what came back; no run is recorded. */
  test: writeProcedure
    .input(idInput)
    .output(targetTestOutput)
    .mutation(async ({ ctx, input }) => {
      const target = await ctx.store.getTarget(input.id);
      if (!target) throw new NotFoundError('target', input.id);
      if (ctx.testTarget === undefined) throw new EngineUnavailableError('Sending a test request');
      return ctx.testTarget(target);
    }),

  delete: writeProcedure
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      // The store raises ConflictError, naming the schedules, while any schedule uses the target.
      await ctx.store.deleteTarget(input.id);
    }),
});
