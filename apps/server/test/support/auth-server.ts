import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Authenticator, RunFeed, schedulerWithoutEngine } from '@api-scheduler/api';
import type { AuthenticatorOptions } from '@api-scheduler/api';
import { FakeClock, generateApiKey, newId } from '@api-scheduler/core';
import type { ApiKeyScope } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { pino } from 'pino';

import { createHttpServer } from '../../src/http/server.js';

export const AUTH_TEST_START = Date.UTC(2026, 4, 1, 12, 0, 0);

/** A key created through the store, as the CLI creates it, with the key itself. */
export interface TestKey {
  id: string;
  key: string;
}

/**
 * The HTTP server of the API with authentication, on 127.0.0.1 with a real
 * libSQL file in a temporary folder, a fake clock and no engine.
 */
export class AuthTestServer {
  readonly clock = new FakeClock(AUTH_TEST_START);
  base = '';
  port = 0;
  auth!: Authenticator;
  private folder = '';
  private server: Server | null = null;
  private storeInstance: Store | null = null;

  constructor(private readonly options: Partial<Omit<AuthenticatorOptions, 'store' | 'clock' | 'logger'>> = {}) {}

  get store(): Store {
    if (this.storeInstance === null) throw new Error('AuthTestServer.start() has not run');
    return this.storeInstance;
  }

  async start(): Promise<void> {
    this.folder = await mkdtemp(join(tmpdir(), 'api-scheduler-auth-'));
    const store = await createLibsqlStore({ url: pathToFileURL(join(this.folder, 'scheduler.db')).href });
    await store.migrate();
    this.storeInstance = store;

    const logger = pino({ level: 'silent' });
    this.auth = new Authenticator({ openWithoutKeys: true, ...this.options, store, clock: this.clock, logger });
    await this.auth.countActiveKeys();
    // A feed without sources: subscriptions open and stay quiet.
    const runFeed = new RunFeed({ store, clock: this.clock, logger, events: null, pollIntervalMs: null });
    const context = { store, clock: this.clock, logger, scheduler: schedulerWithoutEngine, instanceId: 'auth-test', startedAt: AUTH_TEST_START, auth: this.auth, runFeed };

    const server = createHttpServer({ context, uiDir: null, logger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.server !== null) {
      const server = this.server;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.storeInstance?.close().catch(() => undefined);
    if (this.folder !== '') await rm(this.folder, { recursive: true, force: true });
  }

  /** Inserts a key straight into the database, as `api-scheduler keys create` does. */
  async createKey(scope: ApiKeyScope, name: string = scope): Promise<TestKey> {
    const { key, prefix, hash } = generateApiKey();
    const id = newId(this.clock.now());
    await this.store.createApiKey({ id, name, prefix, hash, scope, created_at: new Date(this.clock.now()), last_used_at: null, revoked_at: null });
    return { id, key };
  }
}
