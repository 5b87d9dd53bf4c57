import type {
  AlertNotification,
  ApiKey,
  CreateTarget,
  FireOutcome,
  FirePlan,
  ListRunsInput,
  Page,
  PageInput,
  Run,
  RunRequest,
  RunStatus,
  Schedule,
  ScheduleStatus,
  StoredApiKey,
  Target,
  UpdateTarget,
} from '@api-scheduler/core';

/** A target as inserted: the API layer fills in id, name and timestamps. A missing signing_secret is stored as null. */
export type NewTarget = Omit<CreateTarget, 'name' | 'signing_secret'> & {
  id: string;
  name: string;
  signing_secret?: string | null;
  created_at: Date;
  updated_at: Date;
};

/** A schedule as inserted, with its config already resolved and next_run_at planned. */
export type NewSchedule = Schedule;

/** Fields of a schedule that an update may set; next_run_at and status come from the planner. */
export type SchedulePatch = Partial<
  Pick<
    Schedule,
    | 'target_id'
    | 'name'
    | 'schedule_type'
    | 'schedule_config'
    | 'timezone'
    | 'retry_policy'
    | 'overlap_policy'
    | 'misfire_policy'
    | 'status'
    | 'next_run_at'
    | 'run_count'
    | 'alert'
    | 'alert_state'
    | 'alert_failures'
    | 'alert_changed_at'
  >
> & { updated_at: Date };

export interface ListSchedulesInput extends PageInput {
  status?: ScheduleStatus;
  target_id?: string;
}

/**
 * Called inside the claim transaction for each due schedule; must be pure and fast.
 * A schedule whose plan throws is logged and left due, and the next claim tries it again.
 */
export type PlanFireFn = (schedule: Schedule, now: number) => FirePlan;

export interface ClaimInput {
  /** Schedules with next_run_at at or before this instant are due. */
  now: number;
  /** At most this many schedules are claimed in one transaction. */
  limit: number;
  /**
   * Splits the due schedules in two. Those due at or after `before` are
   * claimed first. Those due earlier (the backlog after downtime or a stall)
   * fill the rest of the batch, at most `limit` of them. Without it, all due
   * schedules are claimed earliest first.
   */
  backlog?: { before: number; limit: number };
  instanceId: string;
  plan: PlanFireFn;
  /** Builds the request stored with each run (secrets masked) from the target. */
  describeRequest: (target: Target) => RunRequest;
}

/** One fire that a claim recorded as a RUNNING (or SKIPPED) run, with what is needed to send it. */
export interface ClaimedFire {
  run: Run;
  schedule: Schedule;
  target: Target;
}

/** The outcome of an attempt, written onto its RUNNING run. */
export type RunResult = Pick<
  Run,
  | 'id'
  | 'finished_at'
  | 'status'
  | 'status_code'
  | 'latency_ms'
  | 'response_size'
  | 'response_headers'
  | 'response_body'
  | 'truncated'
  | 'error_type'
  | 'error_message'
>;

/** The retention rules of one pruneRuns call. A rule set to null is off. */
export interface PruneRunsInput {
  /** Runs that started before this instant are deleted. */
  olderThan: Date | null;
  /** Runs beyond the newest this many of their schedule (by id) are deleted. */
  keepPerSchedule: number | null;
  /** At most this many runs are deleted by one call. */
  limit: number;
}

/** A process that fires schedules on the database, as its last heartbeat left it. */
export interface Instance {
  id: string;
  started_at: Date;
  heartbeat_at: Date;
  lease_expires_at: Date;
}

export interface HeartbeatInput {
  instanceId: string;
  /** The instant of the heartbeat on this process's clock. */
  now: Date;
  /** The lease runs until now + leaseMs. */
  leaseMs: number;
}

export interface ReapInput {
  /** Leases that expired before this instant have lapsed. */
  now: Date;
  /** error_message of the runs marked INTERRUPTED. */
  message: string;
}

export interface ReapResult {
  /** Instances whose lapsed lease this call found (rows deleted, or ids named only by RUNNING runs), sorted. */
  instanceIds: string[];
  /** Runs marked FAILURE / INTERRUPTED. */
  runs: number;
}

export interface RunStats {
  total_runs: number;
  success_runs: number;
  failure_runs: number;
  skipped_runs: number;
  running_runs: number;
  /** Mean latency_ms of finished runs that have one, or null when there is none. */
  avg_latency_ms: number | null;
}

/** Finished runs that started within one whole minute, by status. */
export interface RunMinuteCounts {
  /** The start of the minute (UTC, on a whole minute since the Unix epoch). */
  minute: Date;
  success: number;
  failure: number;
  skipped: number;
}

/** Figures over the runs that started in [since, until). */
export interface RunWindowStats {
  /** Runs that started in the window, RUNNING ones included. */
  total_runs: number;
  success_runs: number;
  failure_runs: number;
  skipped_runs: number;
  /**
   * Nearest-rank percentiles (the value at rank ceil(p·n) in ascending order)
   * of latency_ms over the finished runs in the window that have one, or
   * null when there is none.
   */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** Finished runs per minute of started_at, oldest first. Minutes without a finished run are left out. */
  per_minute: RunMinuteCounts[];
}

/** The fields of a run that a latency chart needs. */
export interface RunSample {
  id: string;
  started_at: Date;
  latency_ms: number | null;
  status: RunStatus;
}

/** An ACTIVE schedule and its next planned fire. */
export interface NextFire {
  schedule_id: string;
  name: string;
  at: Date;
}

/**
 * Persistence of targets, schedules, runs and API keys. The engine and the API use only
 * this interface; each database dialect has one implementation, and every
 * implementation passes the same conformance suite.
 *
 * Lookups return null for unknown ids; mutations of unknown ids throw
 * NotFoundError, and conflicts throw ConflictError (both from core).
 */
/** A fire's outcome counted toward its schedule's alert. */
export interface AlertOutcomeInput {
  scheduleId: string;
  runId: string;
  outcome: FireOutcome;
  now: Date;
  /** The id of the notification, used only when the outcome changes the alert state. */
  notificationId: string;
}

export interface SilenceSweepInput {
  now: Date;
  /** Makes the id of each notification. */
  newId: () => string;
}

export interface ClaimAlertNotificationsInput {
  now: Date;
  /** How long the claiming process keeps the notifications to itself, in milliseconds. */
  leaseMs: number;
  limit: number;
}

export interface AlertDeliveryResult {
  id: string;
  now: Date;
  delivered: boolean;
  /** The reason the attempt failed; null when it was delivered. */
  error: string | null;
  /** When to try again after a failure; null gives up and marks the notification FAILED. */
  retryAt: Date | null;
}

export interface Store {
  readonly dialect: 'libsql' | 'postgres';

  /** Applies pending migrations. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Runs a trivial query and returns its round-trip time in milliseconds. */
  ping(): Promise<number>;

  createTarget(target: NewTarget): Promise<Target>;
  getTarget(id: string): Promise<Target | null>;
  /** Targets oldest first. */
  listTargets(input: PageInput): Promise<Page<Target>>;
  updateTarget(id: string, patch: UpdateTarget & { updated_at: Date }): Promise<Target>;
  /** Throws ConflictError naming the schedules (id and name) that still use the target. */
  deleteTarget(id: string): Promise<void>;

  /** Throws NotFoundError('target', …) when target_id does not exist. */
  createSchedule(schedule: NewSchedule): Promise<Schedule>;
  getSchedule(id: string): Promise<Schedule | null>;
  /** Schedules oldest first. */
  listSchedules(input: ListSchedulesInput): Promise<Page<Schedule>>;
  /** Throws NotFoundError for an unknown schedule or a patch naming an unknown target. */
  updateSchedule(id: string, patch: SchedulePatch): Promise<Schedule>;
  /** Deletes the schedule and its runs. */
  deleteSchedule(id: string): Promise<void>;
  countSchedulesByStatus(): Promise<Record<ScheduleStatus, number>>;

  /**
   * The earliest next_run_at among ACTIVE schedules, Unix milliseconds, or
   * null when none is planned. With `after`, only next_run_at later than it count.
   */
  earliestNextRunAt(after?: number): Promise<number | null>;
  /**
   * In one transaction: selects up to `limit` ACTIVE schedules whose
   * next_run_at is at or before `now` (earliest first, or as `backlog`
   * splits them), calls `plan` for
   * each, stores the new next_run_at / run_count / last_run_at / status, and
   * inserts one run per planned fire (RUNNING, or SKIPPED for a skipped
   * fire) with attempt 1. A fire of a schedule whose overlap_policy is
   * 'skip' and that already has a RUNNING run, held by any instance, is
   * inserted as SKIPPED, naming that run. The unique key (schedule_id, scheduled_for,
   * attempt) makes a second claim of the same slot insert no run, so that
   * fire is left out of the result instead of firing twice.
   */
  claimDueSchedules(input: ClaimInput): Promise<ClaimedFire[]>;
  /**
   * Inserts a run directly: retries (attempt > 1) and manual triggers. Throws
   * ConflictError when the slot and attempt already have a run, and NotFoundError for an unknown schedule.
   */
  insertRun(run: Run): Promise<Run>;
  /** Writes the outcomes of finished attempts, in one transaction. Unknown ids are ignored (the schedule was deleted). */
  finishRuns(results: RunResult[]): Promise<void>;
  /**
   * Marks runs still RUNNING as FAILURE with error_type INTERRUPTED: all of
   * them, or only those of `instanceId`. Returns how many changed.
   */
  interruptRunningRuns(input: { finishedAt: Date; instanceId?: string; message: string }): Promise<number>;

  /**
   * Records that the instance is alive: inserts its row (started_at = now)
   * or renews it, setting heartbeat_at = now and lease_expires_at = now +
   * leaseMs. Throws RangeError unless leaseMs is a positive integer.
   */
  heartbeat(input: HeartbeatInput): Promise<void>;
  /**
   * In one transaction: marks every RUNNING run whose instance has no
   * unexpired lease at `now` (no row, or lease_expires_at before `now`) as
   * FAILURE / INTERRUPTED, finished at `now`, and deletes the rows of
   * instances whose lease expired. Instances compare leases on their own
   * clocks, so a lease must be longer than the clocks can disagree.
   */
  reapExpiredInstances(input: ReapInput): Promise<ReapResult>;
  /** Deletes the instance's row, at a clean stop. Unknown ids are ignored. */
  removeInstance(instanceId: string): Promise<void>;
  /** Every instance row, oldest start first. */
  listInstances(): Promise<Instance[]>;
  /**
   * Calls `listener` whenever a schedule is created or updated through any
   * store on the same database, in any process, so a sleeping loop can claim
   * an earlier fire at once. Resolves to an unsubscribe function. Only
   * stores shared by several processes implement it; a single process wakes
   * its own loop.
   */
  subscribeScheduleChanges?(listener: () => void): Promise<() => Promise<void>>;

  getRun(id: string): Promise<Run | null>;
  /** Runs newest first (by id, which is time-ordered). `since` is inclusive and `until` exclusive, both on started_at. */
  listRuns(input: ListRunsInput): Promise<Page<Run>>;
  runStats(): Promise<RunStats>;
  /**
   * Counts and latency percentiles of the runs that started in [since,
   * until). Reads only the runs of that window through indexes on
   * started_at, so its cost follows the window, not the run history.
   */
  runWindowStats(input: { since: Date; until: Date }): Promise<RunWindowStats>;
  /** The number of runs a schedule has, and its newest `limit` runs as samples, newest first. */
  scheduleRunSamples(scheduleId: string, limit: number): Promise<{ total_runs: number; recent: RunSample[] }>;
  /** Up to `limit` ACTIVE schedules with a next_run_at, earliest first. */
  listNextFires(limit: number): Promise<NextFire[]>;
  /** The runs with these ids, in no particular order; unknown ids are left out. */
  getRuns(ids: readonly string[]): Promise<Run[]>;
  /** Up to `limit` runs whose id sorts after `afterId`, oldest (lowest id) first. */
  listRunsAfter(afterId: string, limit: number): Promise<Run[]>;
  /**
   * Deletes finished runs (every status but RUNNING) that started before
   * `olderThan` or are beyond the newest `keepPerSchedule` runs of their
   * schedule, newest by id. RUNNING runs are never deleted but count toward
   * the newest runs. Deletes at most `limit` runs and returns how many it
   * deleted, fewer than `limit` only when no other run was eligible. A call
   * may commit in several short transactions, so other writes are not held
   * up. Throws RangeError for a negative or fractional limit or keepPerSchedule.
   */
  pruneRuns(input: PruneRunsInput): Promise<number>;

  /** Inserts a key. Throws ConflictError when another key has the same prefix. */
  createApiKey(key: StoredApiKey): Promise<ApiKey>;
  /** Every key, revoked ones included, oldest first, without hashes. */
  listApiKeys(): Promise<ApiKey[]>;
  getApiKey(id: string): Promise<ApiKey | null>;
  /** The key with this prefix, with its hash, revoked or not; null when there is none. */
  findApiKeyByPrefix(prefix: string): Promise<StoredApiKey | null>;
  /** How many keys are not revoked. */
  countActiveApiKeys(): Promise<number>;
  /** Sets last_used_at, unless it is already later. Unknown ids are ignored. */
  touchApiKey(id: string, usedAt: Date): Promise<void>;
  /** Sets revoked_at and returns the key; a key revoked before keeps its first revoked_at. Throws NotFoundError for an unknown id. */
  revokeApiKey(id: string, revokedAt: Date): Promise<ApiKey>;

  /**
   * In one transaction: applies a fire's outcome to its schedule's alert
   * state (applyFireOutcome) and, when the state changes, inserts the
   * notification of that change. Returns the notification, or null when
   * the state did not change, the schedule has no alert or was deleted.
   */
  recordAlertOutcome(input: AlertOutcomeInput): Promise<AlertNotification | null>;
  /**
   * In one transaction: turns every ACTIVE schedule whose alert has
   * silence_after_seconds and whose next_run_at is overdue by that long
   * SILENT, and inserts a schedule.silent notification for each. Returns
   * the notifications.
   */
  markSilentSchedules(input: SilenceSweepInput): Promise<AlertNotification[]>;
  /**
   * Takes up to `limit` PENDING notifications due at `now` whose lease is
   * free, oldest first, holds them for leaseMs and counts the attempt, so
   * a send cut short by a crash is counted too. A notification waits
   * while an older one of its schedule is still PENDING, so a schedule's
   * notifications arrive in the order they were made.
   */
  claimAlertNotifications(input: ClaimAlertNotificationsInput): Promise<AlertNotification[]>;
  /** Records a delivery attempt: DELIVERED, PENDING again at retryAt, or FAILED. Unknown ids are ignored. */
  finishAlertNotification(input: AlertDeliveryResult): Promise<void>;
  /** A schedule's newest notifications first. */
  listAlertNotifications(scheduleId: string, limit: number): Promise<AlertNotification[]>;
}
