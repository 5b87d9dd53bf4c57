import { bench, describe } from 'vitest';

import { createPostgresStore } from '../src/index.js';
import type { PostgresStore } from '../src/index.js';
import { probePostgresTestServer } from '../src/testing/postgres-database.js';
import type { TestDatabase } from '../src/testing/postgres-database.js';
import { T0, claimInput, minute, newSchedule, newTarget } from './fixtures.js';

const SCHEDULES = 1_000;
const BATCH = 500;

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

let database: TestDatabase | undefined;
let store: PostgresStore | undefined;
let now = T0 + 500;

async function openStoreWithDueSchedules(): Promise<PostgresStore> {
  database = await postgres.server!.createDatabase();
  const opened = await createPostgresStore({ url: database.url });
  await opened.migrate();
  const target = await opened.createTarget(newTarget());
  for (let i = 0; i < SCHEDULES; i += 1) await opened.createSchedule(newSchedule(target));
  return opened;
}

// Run with: npx vitest bench --run packages/db/test/claim-postgres.bench.ts
// Each iteration claims all the schedules once, in batches of 500 as the
// engine does by default. They are due again one minute later, because each
// claim moves their next_run_at by one slot.
describe.skipIf(postgres.server === null)(`claimDueSchedules of ${SCHEDULES} due schedules on PostgreSQL`, () => {
  bench(
    `claims in batches of ${BATCH}`,
    async () => {
      let claimed = 0;
      for (;;) {
        const fires = await store!.claimDueSchedules(claimInput(now, { limit: BATCH }));
        if (fires.length === 0) break;
        claimed += fires.length;
      }
      if (claimed !== SCHEDULES) throw new Error(`Claimed ${claimed} of ${SCHEDULES} schedules`);
      now += minute;
    },
    {
      iterations: 30,
      warmupIterations: 3,
      // As in claim.bench.ts: under Vitest 4.1.12 bench mode, beforeAll had
      // not run when the warmup started, and the worker ended without waiting
      // for an async teardown, so setup builds the database and teardown
      // starts the cleanup without awaiting it.
      setup: async (_task, mode) => {
        if (mode === 'warmup') store = await openStoreWithDueSchedules();
      },
      teardown: (_task, mode) => {
        if (mode !== 'run') return;
        void store?.close().then(() => database?.drop());
      },
    },
  );
});
