import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bench, describe } from 'vitest';

import { createLibsqlStore } from '../src/index.js';
import type { LibsqlStore } from '../src/index.js';
import { T0, claimInput, minute, newSchedule, newTarget } from './fixtures.js';

const SCHEDULES = 1_000;

let folder: string | undefined;
let store: LibsqlStore | undefined;
let now = T0 + 500;

async function openStoreWithDueSchedules(): Promise<LibsqlStore> {
  folder = await mkdtemp(join(tmpdir(), 'api-scheduler-bench-'));
  const opened = await createLibsqlStore({ url: `file:${join(folder, 'scheduler.db')}` });
  await opened.migrate();
  const target = await opened.createTarget(newTarget());
  for (let i = 0; i < SCHEDULES; i += 1) await opened.createSchedule(newSchedule(target));
  return opened;
}

// Run with: npx vitest bench --run packages/db/test/claim.bench.ts
// Each iteration claims all the schedules once. They are due again one
// minute later, because each claim moves their next_run_at by one slot.
describe(`claimDueSchedules of ${SCHEDULES} due schedules`, () => {
  bench(
    'one claim',
    async () => {
      const fires = await store!.claimDueSchedules(claimInput(now, { limit: SCHEDULES }));
      if (fires.length !== SCHEDULES) throw new Error(`Claimed ${fires.length} of ${SCHEDULES} schedules`);
      now += minute;
    },
    {
      iterations: 30,
      warmupIterations: 3,
      // Under Vitest 4.1.12 bench mode, beforeAll had not run when the warmup
      // started, and the worker ended without waiting for an async teardown.
      // So setup builds the database, and teardown removes it synchronously.
      setup: async (_task, mode) => {
        if (mode === 'warmup') store = await openStoreWithDueSchedules();
      },
      teardown: (_task, mode) => {
        if (mode !== 'run') return;
        if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
        void store?.close();
      },
    },
  );
});
