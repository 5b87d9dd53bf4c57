import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClient } from '@libsql/client';
import type { Schedule } from '@api-scheduler/core';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DatabaseQueryError, createLibsqlStore, createStore } from '../src/index.js';
import type { LibsqlStore } from '../src/index.js';
import { selectDueSchedules } from '../src/sqlite/claim-due-schedules.js';
import { pruneRuns, runsBeyondCountDeletion, runsStartedBeforeDeletion } from '../src/sqlite/prune-runs.js';
import { finishedRunsPerMinute, latencyAtRank } from '../src/sqlite/run-insights.js';
import type { ExclusiveRunner } from '../src/sqlite/prune-runs.js';
import * as schema from '../src/sqlite/schema.js';
import { T0, claimInput, newRun, newSchedule, newTarget } from './fixtures.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance('libSQL', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'api-scheduler-db-'));
  const store = await createLibsqlStore({ url: `file:${join(folder, 'scheduler.db')}` });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

/** The number of migrations that drizzle-kit generated, from its journal. */
function migrationCount(): number {
  const journal = readFileSync(new URL('../migrations/sqlite/meta/_journal.json', import.meta.url), 'utf8');
  return (JSON.parse(journal) as { entries: unknown[] }).entries.length;
}

describe('LibsqlStore', () => {
  let folder: string;
  let url: string;
  let store: LibsqlStore;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'api-scheduler-db-'));
    url = `file:${join(folder, 'scheduler.db')}`;
    store = await createLibsqlStore({ url });
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function withSecondClient<T>(task: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
    const client = createClient({ url });
    try {
      return await task(client);
    } finally {
      client.close();
    }
  }

  it('opens the file in WAL mode', async () => {
    const mode = await withSecondClient(async (client) => (await client.execute('PRAGMA journal_mode')).rows[0]?.[0]);

    expect(mode).toBe('wal');
  });

  it('configures its connection before any migration', async () => {
    // migrate() itself switches foreign keys off and on again, so this store is not migrated.
    const fresh = await createLibsqlStore({ url: `file:${join(folder, 'fresh.db')}` });
    try {
      expect(await fresh.connectionSettings()).toEqual({ journal_mode: 'wal', busy_timeout: 5_000, foreign_keys: 1, synchronous: 1 });
    } finally {
      await fresh.close();
    }
  });

  it('closes its connection before close resolves', async () => {
    const path = join(folder, 'closed.db');
    const closed = await createLibsqlStore({ url: `file:${path}` });
    await closed.migrate();
    await closed.createTarget(newTarget());
    await closed.close();

    // Leaving WAL mode needs the only connection to the file, so it fails with SQLITE_BUSY while the store's lingers.
    const client = createClient({ url: `file:${path}` });
    try {
      expect((await client.execute('PRAGMA journal_mode=DELETE')).rows[0]?.[0]).toBe('delete');
    } finally {
      client.close();
    }
  });

  it('runs statements off the event loop', async () => {
    const target = await store.createTarget(newTarget());
    for (let i = 0; i < 200; i += 1) await store.createSchedule(newSchedule(target, { overrides: { next_run_at: new Date(T0) } }));

    // A timer due now fires before the claim resolves only if the claim leaves the event loop free while SQLite works.
    const order: string[] = [];
    const claim = store.claimDueSchedules(claimInput(T0 + 500, { limit: 200 })).then(() => order.push('claim'));
    setImmediate(() => order.push('timer'));
    await claim;

    expect(order).toEqual(['timer', 'claim']);
  });

  it('creates the parent folder of a file URL', async () => {
    const nested = join(folder, 'a', 'b', 'scheduler.db');
    const other = await createLibsqlStore({ url: `file:${nested}` });
    await other.migrate();
    await other.close();

    expect((await stat(nested)).isFile()).toBe(true);
  });

  it('migrates twice without changes', async () => {
    const target = await store.createTarget(newTarget());

    await store.migrate();
    await store.migrate();

    expect(await store.getTarget(target.id)).toEqual(target);
    const applied = await withSecondClient(async (client) => (await client.execute('SELECT count(*) FROM __drizzle_migrations')).rows[0]?.[0]);
    expect(applied).toBe(migrationCount());
  });

  it('claims through the partial due index', async () => {
    const plan = await withSecondClient(async (client) => {
      const query = selectDueSchedules(T0, 100);
      return (await client.execute(`EXPLAIN QUERY PLAN ${query.sql}`, query.params as never)).rows;
    });

    expect(plan.map((row) => row['detail']).join('\n')).toMatch(/USING INDEX schedules_due_idx/);
  });

  it('claims both backlog parts through the due index', async () => {
    const plan = await withSecondClient(async (client) => {
      const query = selectDueSchedules(T0, 100, { before: T0 - 1_000, limit: 50 });
      return (await client.execute(`EXPLAIN QUERY PLAN ${query.sql}`, query.params as never)).rows;
    });
    const details = plan.map((row) => String(row['detail']));

    expect(details.filter((detail) => /SEARCH schedules USING INDEX schedules_due_idx/.test(detail))).toHaveLength(2);
    expect(details.join('\n')).not.toMatch(/SCAN schedules/);
  });

  it('prunes through indexes', async () => {
    const plans = await withSecondClient(async (client) => {
      const db = drizzle(client);
      const explain = async (query: SQL) => (await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`)).map((row) => row.detail).join('\n');
      return {
        byAge: await explain(runsStartedBeforeDeletion(new Date(T0), 500)),
        byCount: await explain(runsBeyondCountDeletion({ first: 'a', last: 'z', keep: 10, limit: 500 })),
      };
    });

    expect(plans.byAge).toMatch(/SEARCH runs USING INDEX runs_finished_started_idx \(started_at<\?\)/);
    expect(plans.byCount).toMatch(/SEARCH schedule USING COVERING INDEX sqlite_autoindex_schedules_1 \(id>\? AND id<\?\)/);
    expect(plans.byCount).toMatch(/SEARCH run USING INDEX runs_schedule_idx \(schedule_id=\? AND id<\?\)/);
    expect(plans.byCount).toMatch(/SEARCH newer USING COVERING INDEX runs_schedule_idx \(schedule_id=\?\)/);
    expect(`${plans.byAge}\n${plans.byCount}`).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('reads the dashboard window through the started_at index', async () => {
    const plans = await withSecondClient(async (client) => {
      const db = drizzle(client);
      const explain = async (query: SQL) => (await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`)).map((row) => row.detail).join('\n');
      const since = new Date(T0);
      const until = new Date(T0 + 3_600_000);
      return {
        perMinute: await explain(finishedRunsPerMinute(since, until)),
        percentile: await explain(latencyAtRank(since, until, 10)),
      };
    });

    for (const plan of [plans.perMinute, plans.percentile]) {
      expect(plan).toMatch(/SEARCH runs USING INDEX runs_finished_started_idx \(started_at>\? AND started_at<\?\)/);
      expect(plan).not.toMatch(/SCAN runs/);
    }
  });

  it('prunes by count one schedule per statement and resumes where it stopped', async () => {
    const target = await store.createTarget(newTarget());
    const schedules: Schedule[] = [];
    for (let i = 0; i < 4; i += 1) schedules.push(await store.createSchedule(newSchedule(target)));
    let slot = T0;
    const addRuns = async (schedule: Schedule, count: number) => {
      for (let i = 0; i < count; i += 1) {
        slot += 1_000;
        await store.insertRun(newRun(schedule, { scheduled_for: new Date(slot), status: 'SUCCESS' }));
      }
    };
    for (const schedule of schedules) await addRuns(schedule, 3);

    const client = createClient({ url });
    const db = drizzle(client, { schema });
    let statements = 0;
    const exclusive: ExclusiveRunner = (operation) => {
      statements += 1;
      return operation(db);
    };
    const cursor = { scheduleId: '' };
    // A step budget of 2 with keep 1 makes each statement cover one schedule.
    const prune = () => pruneRuns(exclusive, cursor, { olderThan: null, keepPerSchedule: 1, limit: 3 }, 2);

    try {
      expect(await prune()).toBe(3);
      expect(cursor.scheduleId).toBe(schedules[1]!.id);
      expect(statements).toBe(2);

      // Runs added behind the cursor are found once the visit wraps around.
      await addRuns(schedules[0]!, 2);
      const deleted = [await prune(), await prune(), await prune(), await prune()];
      expect(deleted).toEqual([3, 3, 1, 0]);
      for (const schedule of schedules) expect((await store.listRuns({ limit: 10, schedule_id: schedule.id })).items).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('serializes concurrent operations on its one connection', async () => {
    const target = await store.createTarget(newTarget());
    for (let i = 0; i < 20; i += 1) await store.createSchedule(newSchedule(target, { overrides: { next_run_at: new Date(T0 - i * 1_000) } }));

    const results = await Promise.all([
      store.claimDueSchedules(claimInput(T0 + 500, { limit: 10 })),
      store.listSchedules({ limit: 50 }),
      store.claimDueSchedules(claimInput(T0 + 500, { limit: 10 })),
      store.createTarget(newTarget()),
      store.runStats(),
      store.claimDueSchedules(claimInput(T0 + 500, { limit: 10 })),
    ]);

    const claimed = [results[0], results[2], results[5]].flat().map((fire) => fire.schedule.id);
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed).size).toBe(20);
  });

  it('keeps query parameters out of database errors', async () => {
    const creation = store.createTarget(newTarget({ headers: { Authorization: 'Bearer very-secret' }, timeout_ms: Number.NaN }));

    await expect(creation).rejects.toBeInstanceOf(DatabaseQueryError);
    await expect(creation).rejects.not.toThrow(/very-secret/);
  });
});

describe('createStore', () => {
  it('rejects an unknown scheme', async () => {
    await expect(createStore({ url: 'mysql://127.0.0.1/test' })).rejects.toThrow('Unsupported database URL scheme "mysql:"');
  });

  it('opens a libSQL store for a file URL', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'api-scheduler-db-'));
    try {
      const store = await createStore({ url: `file:${join(folder, 'x', 'scheduler.db')}` });
      expect(store.dialect).toBe('libsql');
      await store.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
