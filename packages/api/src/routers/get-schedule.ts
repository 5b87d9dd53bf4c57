import { NotFoundError } from '@api-scheduler/core';
import type { Schedule } from '@api-scheduler/core';

import type { ApiContext } from '../context.js';

/** Reads a schedule, throwing NotFoundError naming the id when there is none. */
export async function getSchedule(ctx: ApiContext, id: string): Promise<Schedule> {
  const schedule = await ctx.store.getSchedule(id);
  if (!schedule) throw new NotFoundError('schedule', id);
  return schedule;
}
