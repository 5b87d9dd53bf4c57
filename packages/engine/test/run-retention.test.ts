import { statSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { LibsqlStore } from '@api-scheduler/db';

import { EngineFixture, sleep } from './engine-fixture.js';

// Five 1-second schedules per engine: 5 runs per second, each keeping a
// 1 KiB response excerpt, so the run rows fill pages fast enough to measure.
const SCHEDULES = 5;
const KEEP_PER_SCHEDULE = 10;
const BODY = 'x'.repeat(1_024);
const DURATION_MS = 30_000;
const SAMPLE_EVERY_MS = 2_000;
// The pruned database contains only its 50 newest runs after about 10 s of
// load. Samples from here on must stay flat.
const WARM_UP_MS = 14_000;
// How far the pruned database's pages may rise after the warm-up: about the
// runs of two prune intervals (10 runs of ~1.3 KiB) and a b-tree split or two.
// When it was chosen (this test on a busy 2-core machine), the pruned
// database stayed at 43 pages in one run and 48 in another from 12 s on,
// while the control grew by about 3 pages a second.
// NOTE: file sizes are reported but not checked. The -wal file grows until
// SQLite's automatic checkpoint (at 1,000 pages by default, after about 30 s
// of this load) and is then reused, and only a checkpoint grows the .db file.
const PRUNED_PAGE_SLACK = 6;

interface Sample {
  at_ms: number;
  runs: number;
  /** page_count - freelist_count. */
  pages_in_use: number;
  /** The size that the database file has once the WAL is checkpointed into it. */
  page_count: number;
  db_file_bytes: number;
  wal_file_bytes: number;
}

async function sample(fixture: EngineFixture, startedAt: number): Promise<Sample> {
  const pages = await (fixture.store as LibsqlStore).pageStats();
  const fileBytes = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return {
    at_ms: Date.now() - startedAt,
    runs: (await fixture.store.runStats()).total_runs,
    pages_in_use: pages.page_count - pages.freelist_count,
    page_count: pages.page_count,
    db_file_bytes: fileBytes(fixture.databasePath),
    wal_file_bytes: fileBytes(`${fixture.databasePath}-wal`),
  };
}

let pruned: EngineFixture;
let control: EngineFixture;

beforeEach(async () => {
  pruned = new EngineFixture();
  control = new EngineFixture();
  await pruned.setUp();
  await control.setUp();
});

afterEach(async () => {
  await pruned.tearDown();
  await control.tearDown();
});

describe('run retention', () => {
  it('stops database growth under a steady load', async () => {
    // Two engines side by side under the same load, one with retention and
    // one without, each on its own database file and target.
    const firstFire = Date.now() + 500;
    for (const fixture of [pruned, control]) {
      fixture.on('/load', (_request, response) => response.end(BODY));
      const target = await fixture.addTarget('/load');
      for (let i = 0; i < SCHEDULES; i += 1) await fixture.addSchedule(target, firstFire, { interval_seconds: 1 });
    }
    await pruned
      .createEngine({ retention: { maxAgeMs: null, maxRunsPerSchedule: KEEP_PER_SCHEDULE, intervalMs: 1_000, batchSize: 500 } })
      .start();
    await control.createEngine().start();

    const startedAt = Date.now();
    const samples: { pruned: Sample; control: Sample }[] = [];
    while (Date.now() - startedAt < DURATION_MS) {
      await sleep(SAMPLE_EVERY_MS);
      samples.push({ pruned: await sample(pruned, startedAt), control: await sample(control, startedAt) });
    }
    const report = JSON.stringify(samples);

    const settled = samples.filter((entry) => entry.pruned.at_ms >= WARM_UP_MS);
    const first = settled[0]!;
    const last = settled[settled.length - 1]!;
    expect(settled.length, report).toBeGreaterThanOrEqual(6);

    // Retention: the run count stays at the 50 kept runs plus at most the
    // runs of one prune interval and those still in flight, and the pages
    // in use stop growing.
    const maxPrunedRuns = Math.max(...settled.map((entry) => entry.pruned.runs));
    expect(maxPrunedRuns, report).toBeLessThanOrEqual(SCHEDULES * KEEP_PER_SCHEDULE + 3 * SCHEDULES);
    const prunedPagesInUse = settled.map((entry) => entry.pruned.pages_in_use);
    expect(Math.max(...prunedPagesInUse) - first.pruned.pages_in_use, report).toBeLessThanOrEqual(PRUNED_PAGE_SLACK);
    // Freed pages are reused, so the file that a checkpoint leaves stops growing too.
    const prunedPageCounts = settled.map((entry) => entry.pruned.page_count);
    expect(Math.max(...prunedPageCounts) - first.pruned.page_count, report).toBeLessThanOrEqual(PRUNED_PAGE_SLACK);

    // Control: the same load without retention keeps adding runs and pages.
    // The run bound allows for fires delayed by a busy machine.
    const seconds = (last.control.at_ms - first.control.at_ms) / 1_000;
    expect(last.control.runs - first.control.runs, report).toBeGreaterThanOrEqual(seconds * SCHEDULES * 0.5);
    expect(last.control.pages_in_use - first.control.pages_in_use, report).toBeGreaterThan(3 * PRUNED_PAGE_SLACK);
  });
});
