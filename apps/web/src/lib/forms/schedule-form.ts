import { DEFAULT_RETRY_POLICY, createScheduleInput, scheduleConfigInputs } from '@api-scheduler/core/schemas';
import type { AlertFormat, JitterMode, MisfirePolicy, OverlapPolicy, ScheduleType } from '@api-scheduler/core/schemas';

import type { FieldErrors } from '../api/errors';
import type { CreateScheduleInput, Schedule } from '../api/types';
import { numberOrText, zodFieldErrors } from './parse';

/** Values of the schedule form: text as typed, with one field per config key of every type, so switching type keeps what was typed. */
export interface ScheduleFormValues {
  name: string;
  target_id: string;
  schedule_type: ScheduleType;
  interval_seconds: string;
  start_time: string;
  end_time: string;
  max_runs: string;
  expression: string;
  run_at: string;
  timezone: string;
  start_paused: boolean;
  overlap_policy: OverlapPolicy;
  misfire_policy: MisfirePolicy;
  max_retries: string;
  initial_delay_ms: string;
  max_delay_ms: string;
  multiplier: string;
  jitter: JitterMode;
  retry_non_idempotent_timeouts: boolean;
  /** Off sends alert: null, which removes an alert the schedule had. */
  alert_enabled: boolean;
  alert_webhook_url: string;
  alert_format: AlertFormat;
  alert_after_failures: string;
  /** Blank: no silence alert. */
  alert_silence_seconds: string;
}

export function emptyScheduleForm(targetId = ''): ScheduleFormValues {
  return {
    name: '',
    target_id: targetId,
    schedule_type: 'INTERVAL',
    interval_seconds: '60',
    start_time: '',
    end_time: '',
    max_runs: '',
    expression: '*/5 * * * *',
    run_at: 'now + 1 minute',
    timezone: 'UTC',
    start_paused: false,
    overlap_policy: 'skip',
    misfire_policy: 'fire_once',
    max_retries: String(DEFAULT_RETRY_POLICY.max_retries),
    initial_delay_ms: String(DEFAULT_RETRY_POLICY.initial_delay_ms),
    max_delay_ms: String(DEFAULT_RETRY_POLICY.max_delay_ms),
    multiplier: String(DEFAULT_RETRY_POLICY.multiplier),
    jitter: DEFAULT_RETRY_POLICY.jitter,
    retry_non_idempotent_timeouts: DEFAULT_RETRY_POLICY.retry_non_idempotent_timeouts,
    alert_enabled: false,
    alert_webhook_url: '',
    alert_format: 'json',
    alert_after_failures: '3',
    alert_silence_seconds: '',
  };
}

/** Fills the form from a stored schedule, whose config times are ISO 8601 UTC. */
export function scheduleToForm(schedule: Schedule): ScheduleFormValues {
  const config = schedule.schedule_config as Record<string, unknown>;
  const text = (key: string) => (config[key] === undefined || config[key] === null ? '' : String(config[key]));
  const form = emptyScheduleForm(schedule.target_id);
  return {
    ...form,
    name: schedule.name,
    schedule_type: schedule.schedule_type,
    interval_seconds: text('interval_seconds') || form.interval_seconds,
    start_time: text('start_time'),
    end_time: text('end_time'),
    max_runs: text('max_runs'),
    expression: text('expression') || form.expression,
    run_at: text('run_at') || form.run_at,
    timezone: schedule.timezone,
    start_paused: schedule.status === 'PAUSED',
    overlap_policy: schedule.overlap_policy,
    misfire_policy: schedule.misfire_policy,
    max_retries: String(schedule.retry_policy.max_retries),
    initial_delay_ms: String(schedule.retry_policy.initial_delay_ms),
    max_delay_ms: String(schedule.retry_policy.max_delay_ms),
    multiplier: String(schedule.retry_policy.multiplier),
    jitter: schedule.retry_policy.jitter,
    retry_non_idempotent_timeouts: schedule.retry_policy.retry_non_idempotent_timeouts,
    ...alertToForm(schedule.alert, form),
  };
}

function alertToForm(alert: Schedule['alert'], empty: ScheduleFormValues): Partial<ScheduleFormValues> {
  if (alert === null) return {};
  return {
    alert_enabled: true,
    alert_webhook_url: alert.webhook_url,
    alert_format: alert.format,
    alert_after_failures: String(alert.after_consecutive_failures),
    alert_silence_seconds: alert.silence_after_seconds === null ? empty.alert_silence_seconds : String(alert.silence_after_seconds),
  };
}

/** Maps the alert fields to the schedule's alert, or null when the alert is off. */
export function alertOf(values: ScheduleFormValues): CreateScheduleInput['alert'] {
  if (!values.alert_enabled) return null;
  return {
    webhook_url: values.alert_webhook_url.trim(),
    format: values.alert_format,
    after_consecutive_failures: numberOrText(values.alert_after_failures) as number,
    silence_after_seconds: (numberOrText(values.alert_silence_seconds) ?? null) as number | null,
  };
}

const optionalText = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** Maps the fields of the selected type to its schedule_config. Fields of the other types are left out. */
export function scheduleConfigOf(values: ScheduleFormValues): Record<string, unknown> {
  switch (values.schedule_type) {
    case 'INTERVAL': {
      const start = optionalText(values.start_time);
      return { interval_seconds: numberOrText(values.interval_seconds), ...(start === undefined ? {} : { start_time: start }) };
    }
    case 'WINDOW': {
      const maxRuns = numberOrText(values.max_runs);
      return {
        start_time: values.start_time.trim(),
        end_time: values.end_time.trim(),
        interval_seconds: numberOrText(values.interval_seconds),
        ...(maxRuns === undefined ? {} : { max_runs: maxRuns }),
      };
    }
    case 'CRON':
      return { expression: values.expression.trim() };
    case 'ONCE':
      return { run_at: values.run_at.trim() };
    default:
      throw new Error(`Unknown schedule type ${String(values.schedule_type)}`);
  }
}

/** Maps the form to the input of schedules.create. The time zone goes at the top level, where it applies to every type. */
export function scheduleFormToInput(values: ScheduleFormValues): CreateScheduleInput {
  const name = values.name.trim();
  return {
    target_id: values.target_id,
    ...(name === '' ? {} : { name }),
    schedule_type: values.schedule_type,
    schedule_config: scheduleConfigOf(values),
    timezone: values.timezone.trim() || 'UTC',
    status: values.start_paused ? 'PAUSED' : 'ACTIVE',
    retry_policy: {
      max_retries: numberOrText(values.max_retries) as number,
      initial_delay_ms: numberOrText(values.initial_delay_ms) as number,
      max_delay_ms: numberOrText(values.max_delay_ms) as number,
      multiplier: numberOrText(values.multiplier) as number,
      jitter: values.jitter,
      retry_non_idempotent_timeouts: values.retry_non_idempotent_timeouts,
    },
    overlap_policy: values.overlap_policy,
    misfire_policy: values.misfire_policy,
    alert: alertOf(values),
  };
}

/**
 * Maps the form to the input of schedules.update. Status is left out: pause
 * and resume change it. The rest is sent whole, so the server replans the
 * schedule from its config.
 */
export function scheduleFormToUpdate(values: ScheduleFormValues, id: string) {
  const { status: _status, ...input } = scheduleFormToInput(values);
  return { id, ...input };
}

/**
 * Checks the form with the schemas that the server applies: the input
 * schema, then the config schema of the selected type. Times such as
 * "now + 5 minutes" and cron expressions are read only by the server, so
 * their messages come from the preview and from create.
 */
export function validateScheduleForm(values: ScheduleFormValues): FieldErrors {
  const input = scheduleFormToInput(values);
  const parsed = createScheduleInput.safeParse(input);
  const errors: FieldErrors = parsed.success ? {} : zodFieldErrors(parsed.error);

  const config = scheduleConfigInputs[values.schedule_type].safeParse(input.schedule_config);
  if (!config.success) Object.assign(errors, zodFieldErrors(config.error, ['schedule_config']));
  return errors;
}

/** Tells whether the form's errors leave the config previewable: its own fields and the time zone are valid. */
export function configIsPreviewable(errors: FieldErrors): boolean {
  return !Object.keys(errors).some((key) => key.startsWith('schedule_config') || key === 'timezone');
}
