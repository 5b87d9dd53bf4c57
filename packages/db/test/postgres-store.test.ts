import { readFileSync } from 'node:fs';

import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DatabaseOpenError, DatabaseQueryError, SCHEDULE_CHANNEL, createPostgresStore, createStore } from '../src/index.js';
import type { PostgresStore } from '../src/index.js';
import { selectDue } from '../src/postgres/claim-due-schedules.js';
import * as schema from '../src/postgres/schema.js';
import { probePostgresTestServer } from '../src/testing/postgres-database.js';
import type { TestDatabase } from '../src/testing/postgres-database.js';
import { T0, claimInput, newSchedule, newTarget, second } from './fixtures.js';
import { describeStoreConformance } from './store-conformance.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);
const server = postgres.server;

/** Returns the number of migrations that drizzle-kit generated, from its journal. */
function migrationCount(): number {
  const journal = readFileSync(new URL('../migrations/postgres/meta/_journal.json', import.meta.url), 'utf8');
  return (JSON.parse(journal) as { entries: unknown[] }).entries.length;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Resolves when `check` returns true, polling every 20 ms, and rejects after `timeoutMs`. */
async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(server === null)('PostgreSQL', () => {
  // One database for the conformance suite, emptied before each test: a
  // CREATE DATABASE per test would add about 0.1 s to each of them.
  let shared: TestDatabase;

  beforeAll(async () => {
    shared = await server!.createDatabase();
  });

  afterAll(async () => {
    await shared?.drop();
  });

  describeStoreConformance('PostgreSQL', async () => {
    await shared.truncateTables();
    const store = await createPostgresStore({ url: shared.url });
    return { store, cleanup: () => store.close() };
  });

  describe('PostgresStore', () => {
    let database: TestDatabase;
    const stores: PostgresStore[] = [];

    async function openStore(): Promise<PostgresStore> {
      const store = await createPostgresStore({ url: database.url });
      stores.push(store);
      return store;
    }

    beforeAll(async () => {
      database = await server!.createDatabase();
    });

    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await database?.drop();
    });

    it('migrates once when several processes start together', async () => {
      const fresh = await server!.createDatabase();
      const racers: PostgresStore[] = [];
      try {
        for (let i = 0; i < 5; i += 1) racers.push(await createPostgresStore({ url: fresh.url, poolSize: 2 }));

        const results = await Promise.allSettled(racers.map((store) => store.migrate()));

        expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
        const applied = await query<{ total: number }>(fresh.url, 'SELECT count(*)::int AS total FROM drizzle.__drizzle_migrations');
        expect(applied[0]?.total).toBe(migrationCount());
        const tables = await query<{ name: string }>(fresh.url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
        expect(tables.map((row) => row.name)).toEqual(['alert_notifications', 'api_keys', 'instances', 'runs', 'schedules', 'targets']);
        const target = await racers[0]!.createTarget(newTarget());
        expect(await racers[4]!.getTarget(target.id)).toEqual(target);
      } finally {
        await Promise.all(racers.map((store) => store.close()));
        await fresh.drop();
      }
    });

    it('releases the migration lock', async () => {
      const store = await openStore();
      await store.migrate();

      const locks = await query<{ total: number }>(database.url, `SELECT count(*)::int AS total FROM pg_locks WHERE locktype = 'advisory'`);

      expect(locks[0]?.total).toBe(0);
    });

    it('wakes a listener in another store on schedule changes', async () => {
      const writer = await openStore();
      const reader = await openStore();
      await writer.migrate();
      let wakes = 0;
      const unsubscribe = await reader.subscribeScheduleChanges(() => {
        wakes += 1;
      });

      const target = await writer.createTarget(newTarget());
      const schedule = await writer.createSchedule(newSchedule(target));
      await waitFor(() => wakes === 1, 5_000, 'the wake after createSchedule');
      await writer.updateSchedule(schedule.id, { status: 'PAUSED', updated_at: new Date(T0) });
      await waitFor(() => wakes === 2, 5_000, 'the wake after updateSchedule');

      await unsubscribe();
      await writer.updateSchedule(schedule.id, { status: 'ACTIVE', updated_at: new Date(T0) });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(wakes).toBe(2);
    });

    it('sends no notification for a failed change', async () => {
      const store = await openStore();
      await store.migrate();
      let wakes = 0;
      const unsubscribe = await store.subscribeScheduleChanges(() => {
        wakes += 1;
      });

      await expect(store.createSchedule(newSchedule(newTarget()))).rejects.toThrow();
      await expect(store.updateSchedule(newTarget().id, { name: 'x', updated_at: new Date(T0) })).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(wakes).toBe(0);
      await unsubscribe();
    });

    it('listens again after its connection is terminated', async () => {
      const writer = await openStore();
      const reader = await openStore();
      await writer.migrate();
      let wakes = 0;
      const unsubscribe = await reader.subscribeScheduleChanges(() => {
        wakes += 1;
      });
      const listening = async () =>
        (
          await query<{ pid: number }>(
            database.url,
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
            [`LISTEN ${SCHEDULE_CHANNEL}`],
          )
        ).map((row) => row.pid);
      const before = await listening();
      expect(before).toHaveLength(1);

      await query(database.url, 'SELECT pg_terminate_backend($1)', [before[0]]);
      // After reconnecting, the listener wakes once for the changes it may have missed.
      await waitFor(() => wakes === 1, 5_000, 'the wake after reconnecting');
      const target = await writer.createTarget(newTarget());
      await writer.createSchedule(newSchedule(target));
      await waitFor(() => wakes === 2, 5_000, 'the wake after a change on the new connection');

      await unsubscribe();
      expect(await listening()).toEqual([]);
    });

    it('divides due schedules between concurrent claims', async () => {
      const stores = [await openStore(), await openStore(), await openStore()];
      await stores[0]!.migrate();
      await database.truncateTables();
      const target = await stores[0]!.createTarget(newTarget());
      const count = 300;
      for (let i = 0; i < count; i += 1) await stores[0]!.createSchedule(newSchedule(target, { overrides: { next_run_at: new Date(T0 - (i % 10) * second) } }));

      // Each store claims in batches of 25 until nothing is due, all at once.
      const claimUntilEmpty = async (store: PostgresStore, instanceId: string) => {
        const scheduleIds: string[] = [];
        for (;;) {
          const fires = await store.claimDueSchedules(claimInput(T0 + 500, { limit: 25, instanceId }));
          if (fires.length === 0) return scheduleIds;
          scheduleIds.push(...fires.map((fire) => fire.schedule.id));
        }
      };
      const claimed = await Promise.all(stores.map((store, index) => claimUntilEmpty(store, `instance-${index}`)));

      const all = claimed.flat();
      expect(all).toHaveLength(count);
      expect(new Set(all).size).toBe(count);
      expect((await stores[0]!.runStats()).running_runs).toBe(count);
    });

    it('claims through the partial due index', async () => {
      const store = await openStore();
      await store.migrate();
      const db = drizzle({ connection: database.url, schema });
      const select = selectDue(db, { now: T0, limit: 100, from: T0 - 1_000 }).toSQL();

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        // The tables are nearly empty, so without this the planner would rightly prefer a scan.
        await client.query('SET enable_seqscan = off');
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${select.sql}`, select.params);
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index Scan using schedules_due_idx on schedules/);
      } finally {
        await client.end();
        await db.$client.end();
      }
    });

    it('returns the same instants whatever the database time zone', async () => {
      const zoned = await server!.createDatabase();
      await query(zoned.url, `ALTER DATABASE ${zoned.name} SET TimeZone = 'America/St_Johns'`);
      const store = await createPostgresStore({ url: zoned.url });
      try {
        await store.migrate();
        const target = await store.createTarget(newTarget({ created_at: new Date(T0 + 123) }));
        const schedule = await store.createSchedule(newSchedule(target));

        expect(await store.getTarget(target.id)).toEqual(target);
        expect((await store.getTarget(target.id))?.created_at.getTime()).toBe(T0 + 123);
        expect(await store.earliestNextRunAt()).toBe(schedule.next_run_at!.getTime());
        const [fire] = await store.claimDueSchedules(claimInput(T0 + 500));
        expect(await store.getRun(fire!.run.id)).toEqual(fire!.run);
      } finally {
        await store.close();
        await zoned.drop();
      }
    });

    it('closes twice without an error', async () => {
      const store = await createPostgresStore({ url: database.url });
      await store.subscribeScheduleChanges(() => {});

      await store.close();

      await expect(store.close()).resolves.toBeUndefined();
    });

    it('keeps query parameters out of database errors', async () => {
      const store = await openStore();
      await store.migrate();

      const creation = store.createTarget(newTarget({ headers: { Authorization: 'Bearer very-secret' }, timeout_ms: 1.5 }));

      await expect(creation).rejects.toBeInstanceOf(DatabaseQueryError);
      await expect(creation).rejects.not.toThrow(/very-secret/);
    });

    it('opens through createStore for postgres and postgresql URLs', async () => {
      for (const url of [database.url, database.url.replace(/^postgres:/, 'postgresql:')]) {
        const store = await createStore({ url });
        try {
          expect(store.dialect).toBe('postgres');
          expect(await store.ping()).toBeGreaterThanOrEqual(0);
        } finally {
          await store.close();
        }
      }
    });

    it('reports a missing database in one sentence', async () => {
      const url = new URL(database.url);
      url.pathname = '/api_scheduler_test_missing';

      const opening = createStore({ url: url.toString() });

      await expect(opening).rejects.toBeInstanceOf(DatabaseOpenError);
      await expect(opening).rejects.toThrow(/Cannot open the database .*api_scheduler_test_missing: database "api_scheduler_test_missing" does not exist\. Check DATABASE_URL/);
    });
  });
});

describe('createStore on PostgreSQL', () => {
  it('reports an unreachable server in one sentence', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const opening = createStore({ url: 'postgres://scheduler:secret@127.0.0.1:1/scheduler' });

    await expect(opening).rejects.toBeInstanceOf(DatabaseOpenError);
    await expect(opening).rejects.toThrow(
      'Cannot open the database postgres://scheduler:***@127.0.0.1:1/scheduler: connect ECONNREFUSED 127.0.0.1:1. Check DATABASE_URL: the PostgreSQL server must be running',
    );
    await expect(opening).rejects.not.toThrow(/secret/);
  });
});
