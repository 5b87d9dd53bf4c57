import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';

import { ALLOW_PRIVATE_POLICY, DEFAULT_RETRY_POLICY, NO_ALERT, newId, systemClock } from '@api-scheduler/core';
import type { HttpMethod, Run, Schedule, Target } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';

import { Engine } from '../src/index.js';
import type { EngineOptions } from '../src/index.js';

export interface Received {
  path: string;
  method: string;
  at: number;
  key: string;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, received: Received) => void;

/**
 * A real engine on a real libSQL file in a temporary folder, and a real
 * HTTP target on 127.0.0.1 that records what it receives. Paths answer 200
 * unless a handler is set for them.
 */
export class EngineFixture {
  store!: Store;
  engine: Engine | null = null;
  received: Received[] = [];
  /** TCP connections the target server accepted, whether or not a request followed. */
  connections = 0;
  targetUrl = '';
  private dataDir = '';
  private server!: Server;
  private readonly handlers = new Map<string, Handler>();
  private readonly openResponses = new Set<ServerResponse>();

  async setUp(): Promise<void> {
    this.dataDir = mkdtempSync(join(tmpdir(), 'engine-test-'));
    this.store = await createLibsqlStore({ url: `file:${join(this.dataDir, 'scheduler.db')}` });
    await this.store.migrate();
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]!;
      const received = { path, method: request.method ?? 'GET', at: Date.now(), key: String(request.headers['idempotency-key']) };
      this.received.push(received);
      this.openResponses.add(response);
      response.on('close', () => this.openResponses.delete(response));
      const handler = this.handlers.get(path);
      if (handler) handler(request, response, received);
      else response.end('ok');
    });
    this.server.on('connection', () => {
      this.connections += 1;
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.targetUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async tearDown(): Promise<void> {
    await this.engine?.stop(0);
    for (const response of this.openResponses) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.store.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Opens the database file again, for a test that closed the store. */
  async reopenStore(): Promise<void> {
    this.store = await createLibsqlStore({ url: `file:${this.databasePath}` });
  }

  /** The path of the database file. */
  get databasePath(): string {
    return join(this.dataDir, 'scheduler.db');
  }

  on(path: string, handler: Handler): void {
    this.handlers.set(path, handler);
  }

  requestsTo(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  createEngine(options: Partial<EngineOptions> = {}): Engine {
    this.engine = new Engine({
      store: this.store,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      instanceId: 'test-instance',
      ...options,
      // The target server listens on 127.0.0.1, which the address guard denies by default.
      executor: { addressPolicy: ALLOW_PRIVATE_POLICY, ...options.executor },
    });
    return this.engine;
  }

  async addTarget(path: string, overrides: Partial<Target> = {}): Promise<Target> {
    const now = new Date();
    return this.store.createTarget({
      id: newId(),
      name: path,
      url: `${this.targetUrl}${path}`,
      method: 'GET' as HttpMethod,
      headers: {},
      body_template: null,
      timeout_ms: 10_000,
      created_at: now,
      updated_at: now,
      ...overrides,
    });
  }

  /** An INTERVAL schedule whose grid starts at `nextRunAt`. */
  async addSchedule(target: Target, nextRunAt: number, overrides: Partial<Schedule> & { interval_seconds?: number } = {}): Promise<Schedule> {
    const now = new Date();
    const { interval_seconds: intervalSeconds = 3600, ...rest } = overrides;
    return this.store.createSchedule({
      id: newId(),
      target_id: target.id,
      name: 'test',
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: intervalSeconds, start_time: new Date(nextRunAt).toISOString() },
      status: 'ACTIVE',
      next_run_at: new Date(nextRunAt),
      run_count: 0,
      last_run_at: null,
      timezone: 'UTC',
      retry_policy: DEFAULT_RETRY_POLICY,
      overlap_policy: 'allow',
      misfire_policy: 'fire_once',
      ...NO_ALERT,
      created_at: now,
      updated_at: now,
      ...rest,
    });
  }

  /** Runs of a schedule, oldest first. */
  async runsOf(scheduleId: string): Promise<Run[]> {
    return (await this.store.listRuns({ schedule_id: scheduleId, limit: 1000 })).items.reverse();
  }
}

export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
