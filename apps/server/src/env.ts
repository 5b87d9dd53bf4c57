import { hostname } from 'node:os';

import { z } from 'zod';

// The narrow entry points keep the CLI's help and usage errors, which read
// this schema for the defaults, from loading all of core and the engine.
import { parseTargetAllowlist } from '@api-scheduler/core/address-policy';
import type { AllowlistEntry } from '@api-scheduler/core/address-policy';
import { SecretCipher, parseSecretKey } from '@api-scheduler/engine/secret-cipher';

/** Accepted range of each whole-number variable, for the README check. */
export const INTEGER_RANGES: Record<string, { min: number; max: number }> = {};

const integer = (name: string, min: number, max: number, fallback: number) => {
  INTEGER_RANGES[name] = { min, max };
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max} (got "${value}")` });
        return z.NEVER;
      }
      return parsed;
    });
};

// Unset or empty gives `fallback`, which is undefined for a setting whose default depends on something else.
const boolean = <Fallback extends boolean | undefined>(name: string, fallback: Fallback) =>
  z
    .string()
    .optional()
    .transform((value, ctx): boolean | Fallback => {
      if (value === undefined || value.trim() === '') return fallback;
      const normalized = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
      if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${value}")` });
      return z.NEVER;
    });

const allowlist = z
  .string()
  .optional()
  .transform((value, ctx): AllowlistEntry[] => {
    if (value === undefined) return [];
    try {
      return parseTargetAllowlist(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `SCHEDULER_TARGET_ALLOWLIST: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

const secretKey = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): Buffer | null => {
      if (value === undefined || value.trim() === '') return null;
      try {
        return parseSecretKey(value);
      } catch (error) {
        // The message names the variable but never repeats its value.
        ctx.addIssue({ code: 'custom', message: `${name} ${(error as Error).message}` });
        return z.NEVER;
      }
    });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const serverSchema = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer('PORT', 0, 65_535, 8000),
  DATABASE_URL: z
    .string()
    .trim()
    .default('file:./data/scheduler.db')
    .refine((url) => /^(file:|libsql:|postgres:|postgresql:)/.test(url), {
      message: 'DATABASE_URL must start with file: (embedded libSQL) or postgres:// (PostgreSQL)',
    })
    .refine((url) => !/^file:\s*$/.test(url), { message: 'DATABASE_URL file: needs a path, such as file:./data/scheduler.db' }),
  SCHEDULER_ROLE: z.enum(['all', 'api', 'worker'], { error: 'SCHEDULER_ROLE must be all, api or worker' }).default('all'),
  SCHEDULER_INSTANCE_ID: z.string().trim().min(1).max(100).optional(),
  SCHEDULER_UI_DIR: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${String(issue.input)}")` }).default('info'),
  // Unset: readable lines when the log goes to a terminal, JSON lines otherwise.
  LOG_PRETTY: boolean('LOG_PRETTY', undefined),
  // Serve without authentication on a non-loopback HOST while no API key exists.
  SCHEDULER_INSECURE: boolean('SCHEDULER_INSECURE', false),
  SCHEDULER_SHUTDOWN_GRACE_MS: integer('SCHEDULER_SHUTDOWN_GRACE_MS', 0, 600_000, 10_000),
  SCHEDULER_MISFIRE_GRACE_MS: integer('SCHEDULER_MISFIRE_GRACE_MS', 0, 3_600_000, 1_000),
  SCHEDULER_FIRE_ALL_LIMIT: integer('SCHEDULER_FIRE_ALL_LIMIT', 1, 10_000, 100),
  SCHEDULER_CATCH_UP_SPACING_MS: integer('SCHEDULER_CATCH_UP_SPACING_MS', 0, 3_600_000, 1_000),
  SCHEDULER_RESCAN_INTERVAL_MS: integer('SCHEDULER_RESCAN_INTERVAL_MS', 100, 3_600_000, 2_000),
  SCHEDULER_CLAIM_BATCH_SIZE: integer('SCHEDULER_CLAIM_BATCH_SIZE', 1, 10_000, 500),
  SCHEDULER_MAX_CONCURRENCY: integer('SCHEDULER_MAX_CONCURRENCY', 1, 100_000, 256),
  SCHEDULER_MAX_PER_HOST: integer('SCHEDULER_MAX_PER_HOST', 1, 100_000, 64),
  SCHEDULER_CONNECT_TIMEOUT_MS: integer('SCHEDULER_CONNECT_TIMEOUT_MS', 100, 300_000, 5_000),
  SCHEDULER_RESPONSE_EXCERPT_BYTES: integer('SCHEDULER_RESPONSE_EXCERPT_BYTES', 0, 1_048_576, 16_384),
  SCHEDULER_MAX_RESPONSE_BYTES: integer('SCHEDULER_MAX_RESPONSE_BYTES', 0, 2 ** 40, 64 * 1_048_576),
  SCHEDULER_MAX_REDIRECTS: integer('SCHEDULER_MAX_REDIRECTS', 0, 20, 10),
  SCHEDULER_RUN_RETENTION_DAYS: integer('SCHEDULER_RUN_RETENTION_DAYS', 0, 36_500, 30),
  SCHEDULER_RUN_RETENTION_PER_SCHEDULE: integer('SCHEDULER_RUN_RETENTION_PER_SCHEDULE', 0, 1_000_000_000, 10_000),
  SCHEDULER_PRUNE_INTERVAL_MS: integer('SCHEDULER_PRUNE_INTERVAL_MS', 1_000, 86_400_000, 60_000),
  SCHEDULER_LEASE_MS: integer('SCHEDULER_LEASE_MS', 1_000, 3_600_000, 30_000),
  // 0 means a third of SCHEDULER_LEASE_MS.
  SCHEDULER_HEARTBEAT_INTERVAL_MS: integer('SCHEDULER_HEARTBEAT_INTERVAL_MS', 0, 1_200_000, 0),
  SCHEDULER_ALERT_CHECK_INTERVAL_MS: integer('SCHEDULER_ALERT_CHECK_INTERVAL_MS', 100, 3_600_000, 5_000),
  // Off by default: targets on loopback and private networks are denied.
  SCHEDULER_ALLOW_PRIVATE_TARGETS: boolean('SCHEDULER_ALLOW_PRIVATE_TARGETS', false),
  SCHEDULER_TARGET_ALLOWLIST: allowlist,
  SCHEDULER_SECRET_KEY: secretKey('SCHEDULER_SECRET_KEY'),
  SCHEDULER_SECRET_KEY_PREVIOUS: secretKey('SCHEDULER_SECRET_KEY_PREVIOUS'),
});

const envSchema = serverSchema.superRefine((env, ctx) => {
  if (env.SCHEDULER_SECRET_KEY_PREVIOUS !== null && env.SCHEDULER_SECRET_KEY === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['SCHEDULER_SECRET_KEY_PREVIOUS'],
      message: 'SCHEDULER_SECRET_KEY_PREVIOUS is set but SCHEDULER_SECRET_KEY is not: set the new key in SCHEDULER_SECRET_KEY and the old one in SCHEDULER_SECRET_KEY_PREVIOUS',
    });
  }
  if (env.SCHEDULER_HEARTBEAT_INTERVAL_MS >= env.SCHEDULER_LEASE_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['SCHEDULER_HEARTBEAT_INTERVAL_MS'],
      message: `SCHEDULER_HEARTBEAT_INTERVAL_MS (${env.SCHEDULER_HEARTBEAT_INTERVAL_MS}) must be shorter than SCHEDULER_LEASE_MS (${env.SCHEDULER_LEASE_MS}), or the lease lapses between heartbeats`,
    });
  }
});

export type Env = z.output<typeof envSchema> & { SCHEDULER_INSTANCE_ID: string };

/** The variable that the targets and schedules commands read their API key from, when --key is not given. */
export const API_KEY_VARIABLE = 'SCHEDULER_API_KEY';

/** Every environment variable that the server reads: loadEnv checks these. */
export const SERVER_VARIABLES = Object.keys(serverSchema.shape) as (keyof typeof serverSchema.shape)[];

/** Every environment variable that the server and the CLI read. */
export const ENVIRONMENT_VARIABLES = [...SERVER_VARIABLES, API_KEY_VARIABLE] as const;
export type EnvironmentVariable = (typeof ENVIRONMENT_VARIABLES)[number];

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/**
 * Reads and validates the configuration. This is the only place that reads
 * process.env; every bad value is reported at once, each with its name.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  return {
    ...parsed.data,
    SCHEDULER_INSTANCE_ID: parsed.data.SCHEDULER_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
  };
}

/**
 * Reads the configuration of a CLI command: the environment, with the
 * values that command-line options set in place of their variables.
 */
export function loadCommandEnv(overrides: Partial<Record<EnvironmentVariable, string>>): Env {
  return loadEnv({ ...process.env, ...overrides });
}

/**
 * Lists the default of each server variable as text, as the help and the
 * README show it: the value that loadEnv takes when the variable is unset.
 * Variables without a fixed default are left out.
 */
export function describeDefaults(): Partial<Record<EnvironmentVariable, string>> {
  const parsed = serverSchema.parse({});
  const defaults: Partial<Record<EnvironmentVariable, string>> = {};
  for (const name of SERVER_VARIABLES) {
    const value: unknown = parsed[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') defaults[name] = String(value);
    else if (Array.isArray(value) && value.length === 0) defaults[name] = 'empty';
  }
  defaults.SCHEDULER_INSTANCE_ID = 'HOSTNAME-PID';
  return defaults;
}

/** Builds the cipher of secrets at rest, or returns null when SCHEDULER_SECRET_KEY is not set. */
export function secretCipherOf(env: Env): SecretCipher | null {
  if (env.SCHEDULER_SECRET_KEY === null) return null;
  return new SecretCipher(env.SCHEDULER_SECRET_KEY, env.SCHEDULER_SECRET_KEY_PREVIOUS === null ? [] : [env.SCHEDULER_SECRET_KEY_PREVIOUS]);
}

/** Returns the API key of SCHEDULER_API_KEY, or undefined when it is unset or empty. */
export function apiKeyFromEnv(source: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = source[API_KEY_VARIABLE]?.trim();
  return key === undefined || key === '' ? undefined : key;
}
