import { z } from 'zod';

import { healthOutput } from '../schemas/metrics.js';
import { publicProcedure, router } from '../trpc.js';
import { API_VERSION } from '../version.js';

export const systemRouter = router({
  health: publicProcedure
    .input(z.void())
    .output(healthOutput)
    .query(({ ctx }) => ({
      status: 'ok' as const,
      instance_id: ctx.instanceId,
      uptime_seconds: Math.max(0, Math.floor((ctx.clock.now() - ctx.startedAt) / 1000)),
      version: API_VERSION,
    })),
});
