import type { RouterOutputs, RunChange } from '@api-scheduler/client';

export type { Run, Schedule, Target } from '@api-scheduler/client';
export type { CreateScheduleInput, CreateTargetInput, ListRunsInput } from '@api-scheduler/client';

export type Session = RouterOutputs['auth']['session'];
export type ConfigPreview = RouterOutputs['schedules']['previewConfig'];
export type DashboardMetrics = RouterOutputs['metrics']['dashboard'];
export type ScheduleStats = RouterOutputs['schedules']['stats'];
/** The outcome of targets.test: one request sent to the target now, with no run recorded. */
export type TargetTestResult = RouterOutputs['targets']['test'];
/** One event of the runs.onRun subscription. */
export type RunEvent = RunChange;

export type RunStatus = RouterOutputs['runs']['get']['status'];
export type ScheduleStatus = RouterOutputs['schedules']['get']['status'];
export type ScheduleType = RouterOutputs['schedules']['get']['schedule_type'];
export type Scope = NonNullable<Session['scope']>;
