import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { generateApiKey, newId } from '@api-scheduler/core';
import type { Page, PageInput } from '@api-scheduler/core';

import { DestinationNotEmptyError, copyData, createLibsqlStore, createPostgresStore } from '../src/index.js';
import type { Store } from '../src/index.js';
import { probePostgresTestServer } from '../src/testing/postgres-database.js';
import type { TestDatabase } from '../src/testing/postgres-database.js';
import { T0, minute, newRun, newSchedule, newTarget } from './fixtures.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

async function all<T>(list: (input: PageInput) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit: 100, ...(cursor === null ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return items;
}

/** Everything a store holds, read back through its own API. */
async function contents(store: Store) {
  return {
    targets: await all((input) => store.listTargets(input)),
    schedules: await all((input) => store.listSchedules(input)),
    runs: await all((input) => store.listRuns(input)),
    apiKeys: await Promise.all((await store.listApiKeys()).map((key) => store.findApiKeyByPrefix(key.prefix))),
  };
}

describe.skipIf(postgres.server === null)('copyData', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function libsqlStore(): Promise<Store> {
    const folder = mkdtempSync(join(tmpdir(), 'copy-data-'));
    const store = await createLibsqlStore({ url: `file:${join(folder, 'scheduler.db')}` });
    await store.migrate();
    cleanups.push(async () => {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    });
    return store;
  }

  async function postgresStore(): Promise<Store> {
    const database: TestDatabase = await postgres.server!.createDatabase();
    const store = await createPostgresStore({ url: database.url });
    await store.migrate();
    cleanups.push(async () => {
      await store.close();
      await database.drop();
    });
    return store;
  }

  /** Two API keys (one revoked), two targets, three schedules in every status, and 1,200 runs, so every list spans several pages. */
  async function fill(store: Store): Promise<void> {
    for (const revoked_at of [null, new Date(T0)]) {
      const { prefix, hash } = generateApiKey();
      await store.createApiKey({ id: newId(T0), name: 'ci', prefix, hash, scope: 'write', created_at: new Date(T0 - minute), last_used_at: new Date(T0), revoked_at });
    }
    const first = await store.createTarget(newTarget());
    const second = await store.createTarget(newTarget({ headers: {}, body_template: null, method: 'GET' }));
    const active = await store.createSchedule(newSchedule(first));
    await store.createSchedule(newSchedule(second, { overrides: { status: 'PAUSED' } }));
    await store.createSchedule(newSchedule(second, { overrides: { status: 'COMPLETED', next_run_at: null } }));
    for (let index = 0; index < 1_200; index += 1) {
      const finished = index < 1_199;
      await store.insertRun(
        newRun(active, {
          scheduled_for: new Date(T0 - (1_200 - index) * minute),
          status: finished ? 'SUCCESS' : 'RUNNING',
          finished_at: finished ? new Date(T0 - (1_200 - index) * minute + 15) : null,
          status_code: finished ? 200 : null,
          latency_ms: finished ? 14.5 : null,
        }),
      );
    }
  }

  it('moves libSQL to PostgreSQL and back unchanged', { timeout: 120_000 }, async () => {
    const libsql = await libsqlStore();
    await fill(libsql);
    const original = await contents(libsql);

    const toPostgres = await postgresStore();
    const copied = await copyData(libsql, toPostgres);
    const back = await libsqlStore();
    await copyData(toPostgres, back);

    expect(copied).toEqual({ targets: 2, schedules: 3, runs: 1_200, api_keys: 2 });
    expect(original.runs).toHaveLength(1_200);
    expect(await contents(toPostgres)).toEqual(original);
    expect(await contents(back)).toEqual(original);
  });

  it('copies no runs when told to skip them', async () => {
    const libsql = await libsqlStore();
    await fill(libsql);
    const destination = await postgresStore();

    const copied = await copyData(libsql, destination, { runs: false });

    expect(copied).toEqual({ targets: 2, schedules: 3, runs: 0, api_keys: 2 });
    expect((await destination.listRuns({ limit: 10 })).items).toEqual([]);
  });

  it('rejects a destination that has data', async () => {
    const libsql = await libsqlStore();
    await fill(libsql);
    const destination = await postgresStore();
    const existing = await destination.createTarget(newTarget());

    await expect(copyData(libsql, destination)).rejects.toThrow(DestinationNotEmptyError);
    expect((await destination.listTargets({ limit: 10 })).items).toEqual([existing]);
  });
});
