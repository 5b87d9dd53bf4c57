import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { Logger } from 'pino';

import { Authenticator, CREATE_KEY_COMMAND, RunFeed, schedulerWithoutEngine } from '@api-scheduler/api';
import type { ApiContext, TargetTestResult } from '@api-scheduler/api';
import { maskHeaders, systemClock } from '@api-scheduler/core';
import type { AddressPolicy, Target } from '@api-scheduler/core';
import { Engine, HttpExecutor, buildRequestSpec } from '@api-scheduler/engine';
import type { RunRetention, SecretCipher } from '@api-scheduler/engine';
import { databaseFilePath } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';

import { lockDatabaseFile } from './database-lock.js';
import { secretCipherOf } from './env.js';
import type { Env } from './env.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { openStore } from './open-store.js';
import { createHttpServer } from './http/server.js';
import { InsecureStartError, isLoopbackHost, startupAccess } from './startup-policy.js';

const DAY_MS = 86_400_000;
/** How often the live-runs feed reads the store for runs of other processes, in milliseconds. */
const RUN_FEED_POLL_INTERVAL_MS = 1_000;

/** Builds the run retention rules from the environment, where 0 turns a rule off. */
function runRetention(env: Env): RunRetention {
  return {
    maxAgeMs: env.SCHEDULER_RUN_RETENTION_DAYS === 0 ? null : env.SCHEDULER_RUN_RETENTION_DAYS * DAY_MS,
    maxRunsPerSchedule: env.SCHEDULER_RUN_RETENTION_PER_SCHEDULE === 0 ? null : env.SCHEDULER_RUN_RETENTION_PER_SCHEDULE,
    intervalMs: env.SCHEDULER_PRUNE_INTERVAL_MS,
    // Small enough that one delete transaction holds the write lock for
    // milliseconds, not seconds, while claims wait.
    batchSize: 500,
  };
}

function defaultUiDir(): string | null {
  const built = fileURLToPath(new URL('../../web/build', import.meta.url));
  return existsSync(built) ? built : null;
}

/**
 * Counts the unrevoked API keys and applies the start-up policy. Throws
 * InsecureStartError for a reachable address with no key and no --insecure.
 * A worker serves only health checks, so the policy does not apply to it.
 */
async function checkStartupAccess(env: Env, store: Store, logger: Logger): Promise<Authenticator> {
  const authenticator = new Authenticator({
    store,
    clock: systemClock,
    logger,
    openWithoutKeys: isLoopbackHost(env.HOST) || env.SCHEDULER_INSECURE,
  });
  const activeKeys = await authenticator.countActiveKeys();
  if (env.SCHEDULER_ROLE === 'worker') return authenticator;

  switch (startupAccess({ host: env.HOST, insecure: env.SCHEDULER_INSECURE, activeKeys })) {
    case 'keys':
      logger.info({ active_keys: activeKeys }, 'API keys exist: every request must authenticate');
      break;
    case 'open-loopback':
      logger.warn(
        { host: env.HOST },
        `No API key exists: the API is open to every process on this machine. Create one with \`${CREATE_KEY_COMMAND}\` to require keys`,
      );
      break;
    case 'open-insecure':
      logger.warn({ host: env.HOST }, 'No API key exists and --insecure is set: the API is open to anyone who can reach this address');
      break;
    case 'refuse':
      throw new InsecureStartError(env.HOST);
  }
  return authenticator;
}

function addressPolicyOf(env: Env): AddressPolicy {
  return { allowPrivate: env.SCHEDULER_ALLOW_PRIVATE_TARGETS, allowlist: env.SCHEDULER_TARGET_ALLOWLIST };
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the service and returns a handle that shuts it down. The engine
 * runs in roles all and worker, and the HTTP server in roles all and api.
 */
export async function serve(env: Env, logger: Logger): Promise<RunningServer> {
  // Taken before the database is opened, so a second engine on the same file changes nothing in it.
  const databaseFile = env.SCHEDULER_ROLE === 'api' ? null : databaseFilePath(env.DATABASE_URL);
  const releaseLock = databaseFile === null ? () => {} : lockDatabaseFile(databaseFile);
  try {
    return await serveLocked(env, logger, releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function serveLocked(env: Env, logger: Logger, releaseLock: () => void): Promise<RunningServer> {
  const metrics = new ServiceMetrics(logger);
  const store = metrics.instrumentStore(await openStore(env.DATABASE_URL, logger));
  let authenticator: Authenticator;
  try {
    authenticator = await checkStartupAccess(env, store, logger);
  } catch (error) {
    await store.close();
    throw error;
  }
  const secretCipher = secretCipherOf(env);
  const addressPolicy = addressPolicyOf(env);
  logStartupSecurity(env, secretCipher, logger);

  const executorOptions = {
    maxConcurrency: env.SCHEDULER_MAX_CONCURRENCY,
    maxPerHost: env.SCHEDULER_MAX_PER_HOST,
    connectTimeoutMs: env.SCHEDULER_CONNECT_TIMEOUT_MS,
    excerptBytes: env.SCHEDULER_RESPONSE_EXCERPT_BYTES,
    maxBodyBytes: env.SCHEDULER_MAX_RESPONSE_BYTES,
    maxRedirects: env.SCHEDULER_MAX_REDIRECTS,
    addressPolicy,
  };
  const runEngine = env.SCHEDULER_ROLE !== 'api';
  const runMetrics = runEngine ? metrics.addRunMetrics() : null;
  const engine = runEngine
    ? new Engine({
        store,
        clock: systemClock,
        logger,
        instanceId: env.SCHEDULER_INSTANCE_ID,
        claimBatchSize: env.SCHEDULER_CLAIM_BATCH_SIZE,
        misfireGraceMs: env.SCHEDULER_MISFIRE_GRACE_MS,
        fireAllLimit: env.SCHEDULER_FIRE_ALL_LIMIT,
        catchUpSpacingMs: env.SCHEDULER_CATCH_UP_SPACING_MS,
        rescanIntervalMs: env.SCHEDULER_RESCAN_INTERVAL_MS,
        executor: executorOptions,
        secretCipher,
        retention: runRetention(env),
        leaseMs: env.SCHEDULER_LEASE_MS,
        alertCheckIntervalMs: env.SCHEDULER_ALERT_CHECK_INTERVAL_MS,
        ...(env.SCHEDULER_HEARTBEAT_INTERVAL_MS === 0 ? {} : { heartbeatIntervalMs: env.SCHEDULER_HEARTBEAT_INTERVAL_MS }),
        observers: runMetrics === null ? [] : [runMetrics],
      })
    : null;
  if (engine !== null) runMetrics?.watchExecutor(engine.executor);

  // The engine's events carry the runs of this process at once. Runs that
  // other processes fire (workers on PostgreSQL, or every run in an api-only
  // process) reach the live-runs subscription by polling the store.
  const otherProcessesFire = engine === null || store.dialect === 'postgres';
  const runFeed = new RunFeed({
    store,
    clock: systemClock,
    logger,
    events: engine?.events ?? null,
    pollIntervalMs: otherProcessesFire ? RUN_FEED_POLL_INTERVAL_MS : null,
  });

  // A process without an engine still sends test requests, through an executor with the same limits and address guard.
  const ownTestExecutor = engine === null ? new HttpExecutor(executorOptions, logger) : null;
  const testExecutor = engine?.executor ?? ownTestExecutor!;

  const context: ApiContext = {
    store,
    clock: systemClock,
    logger,
    // An api-only process has no loop to wake; the workers find changes on their next claim.
    scheduler: engine ? { wake: () => engine.wake(), trigger: (id) => engine.trigger(id) } : schedulerWithoutEngine,
    instanceId: env.SCHEDULER_INSTANCE_ID,
    startedAt: systemClock.now(),
    auth: authenticator,
    addressPolicy,
    secretCipher,
    runFeed,
    testTarget: (target) => sendTestRequest(testExecutor, target, secretCipher),
  };

  const server = createHttpServer({
    context,
    uiDir: env.SCHEDULER_ROLE === 'worker' ? null : (env.SCHEDULER_UI_DIR ?? defaultUiDir()),
    logger,
    healthOnly: env.SCHEDULER_ROLE === 'worker',
    metrics,
    ...(engine === null ? {} : { engineRunning: () => engine.isRunning }),
  });
  // The engine starts first: it records the runs a dead process left
  // RUNNING, so no client ever reads one of those as still in flight.
  await engine?.start();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, env.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await engine?.stop(0);
    await ownTestExecutor?.close();
    await store.close();
    throw error;
  }

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, role: env.SCHEDULER_ROLE, database: store.dialect, instance_id: env.SCHEDULER_INSTANCE_ID }, 'API Scheduler is listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      runFeed.close();
      server.closeIdleConnections();
      await engine?.stop(env.SCHEDULER_SHUTDOWN_GRACE_MS);
      await ownTestExecutor?.close();
      server.closeAllConnections();
      await closed;
      await store.close();
      releaseLock();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { url, stop };
}

function logStartupSecurity(env: Env, cipher: SecretCipher | null, logger: Logger): void {
  if (env.SCHEDULER_ALLOW_PRIVATE_TARGETS) {
    logger.warn('SCHEDULER_ALLOW_PRIVATE_TARGETS is true: targets may reach loopback and private network addresses');
  }
  if (env.SCHEDULER_TARGET_ALLOWLIST.length > 0) {
    logger.info({ allowlist: env.SCHEDULER_TARGET_ALLOWLIST.map((entry) => entry.text) }, 'target allowlist in effect');
  }
  if (cipher === null) {
    logger.info('SCHEDULER_SECRET_KEY is not set: secret header values and signing secrets are stored unencrypted');
  } else {
    logger.info({ key_id: cipher.currentKeyId, previous_key: env.SCHEDULER_SECRET_KEY_PREVIOUS !== null }, 'secrets are encrypted at rest');
  }
}

/** Sends a target's request once, as a fire would, and returns its outcome with secret header values masked. */
async function sendTestRequest(executor: HttpExecutor, target: Target, cipher: SecretCipher | null): Promise<TargetTestResult> {
  const now = systemClock.now();
  const spec = buildRequestSpec(target, { schedule_id: `test-${target.id}`, scheduled_for: new Date(now) }, { cipher, nowMs: now });
  const result = await executor.execute(spec);
  return {
    status: result.status,
    status_code: result.statusCode,
    latency_ms: result.latencyMs,
    response_size: result.responseSize,
    response_headers: result.responseHeaders === null ? null : maskHeaders(result.responseHeaders),
    response_body: result.responseBody,
    truncated: result.truncated,
    error_type: result.errorType,
    error_message: result.errorMessage,
  };
}
