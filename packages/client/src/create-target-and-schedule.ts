import type { SchedulerClient } from './create-scheduler-client.js';
import type { CreateScheduleInput, CreateTargetInput, Schedule, Target } from './types.js';

export interface TargetAndScheduleInput {
  target: CreateTargetInput;
  /** The schedule to create, without target_id: it fires the new target. */
  schedule: Omit<CreateScheduleInput, 'target_id'>;
}

/**
 * Creates a target and a schedule that fires it. When the schedule is
 * rejected, the new target is deleted again before the error is thrown, so
 * a failed call leaves no target behind (unless that delete fails too).
 */
export async function createTargetAndSchedule(client: SchedulerClient, input: TargetAndScheduleInput): Promise<{ target: Target; schedule: Schedule }> {
  const target = await client.targets.create.mutate(input.target);

  try {
    const schedule = await client.schedules.create.mutate({ ...input.schedule, target_id: target.id });
    return { target, schedule };
  } catch (error) {
    await client.targets.delete.mutate({ id: target.id }).catch(() => undefined);
    throw error;
  }
}
