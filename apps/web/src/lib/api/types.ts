import type { AppRouter } from '@api-scheduler/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type Target = Outputs['targets']['get'];
export type Schedule = Outputs['schedules']['get'];
export type Run = Outputs['runs']['get'];
export type Session = Outputs['auth']['session'];
export type ConfigPreview = Outputs['schedules']['previewConfig'];
export type CreateTargetInput = Inputs['targets']['create'];
export type CreateScheduleInput = Inputs['schedules']['create'];
export type ListRunsInput = Inputs['runs']['list'];

export type RunStatus = Run['status'];
export type ScheduleStatus = Schedule['status'];
export type ScheduleType = Schedule['schedule_type'];
export type Scope = NonNullable<Session['scope']>;

// TODO: the procedures below are not in AppRouter on this branch yet. These
// types copy their agreed contract; replace them with inferred outputs once
// metrics.dashboard, schedules.stats, runs.onRun and targets.test exist.

/** Output of metrics.dashboard. */
export interface DashboardMetrics {
  total_runs: number;
  /** SUCCESS / (SUCCESS + FAILURE), 0..1, or null when no run has finished. */
  success_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** The last 60 minutes, oldest first. */
  runs_per_minute: Array<{ minute: Date; success: number; failure: number; skipped: number }>;
  schedules: { ACTIVE: number; PAUSED: number; COMPLETED: number };
  next_fires: Array<{ schedule_id: string; name: string; at: Date }>;
  latest_failures: Run[];
}

/** Output of schedules.stats. */
export interface ScheduleStats {
  total_runs: number;
  success_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_series: Array<{ at: Date; latency_ms: number | null; status: RunStatus }>;
  next_fires: Date[];
}

/** One event of the runs.onRun subscription. */
export interface RunEvent {
  kind: 'started' | 'finished';
  run: Run;
}

/** Output of targets.test: the outcome of one request sent to the target now. */
export interface TargetTestResult {
  status_code: number | null;
  latency_ms: number | null;
  response_body: string | null;
  truncated?: boolean;
  error_type: string | null;
  error_message: string | null;
}
