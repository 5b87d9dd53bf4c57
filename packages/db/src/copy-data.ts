import type { Page, PageInput } from '@api-scheduler/core';

import type { Store } from './store.js';

const PAGE_SIZE = 500;

export interface CopyDataOptions {
  /** Copy the run history too; default true. */
  runs?: boolean;
  /** Called after each page is copied, with the totals so far. */
  onProgress?: (copied: CopyDataResult) => void;
}

export interface CopyDataResult {
  targets: number;
  schedules: number;
  runs: number;
  api_keys: number;
}

export class DestinationNotEmptyError extends Error {
  constructor() {
    super('The destination database already has targets or schedules: copy into an empty database, so that nothing is merged or fired twice');
    this.name = 'DestinationNotEmptyError';
  }
}

async function* pages<T>(list: (input: PageInput) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await list({ limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
    if (page.items.length > 0) yield page.items;
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}

/**
 * Copies every API key, target, schedule and (unless `runs` is false) run from one
 * store to another with the same ids, instants and states, for moving from
 * libSQL to PostgreSQL or back. Both stores must be migrated, and the
 * destination must hold no target or schedule, and no key of the source. Stop every scheduler on the
 * source first: a fire claimed during the copy could be missed or fired again.
 */
export async function copyData(source: Store, destination: Store, options: CopyDataOptions = {}): Promise<CopyDataResult> {
  const targetsThere = await destination.listTargets({ limit: 1 });
  const schedulesThere = await destination.listSchedules({ limit: 1 });
  if (targetsThere.items.length > 0 || schedulesThere.items.length > 0) throw new DestinationNotEmptyError();

  const copied: CopyDataResult = { targets: 0, schedules: 0, runs: 0, api_keys: 0 };
  // Keys first, so a server started on the destination demands the same keys as the source.
  for (const listed of await source.listApiKeys()) {
    const stored = await source.findApiKeyByPrefix(listed.prefix);
    if (stored) await destination.createApiKey(stored);
    copied.api_keys += 1;
  }
  for await (const targets of pages((input) => source.listTargets(input))) {
    for (const target of targets) await destination.createTarget(target);
    copied.targets += targets.length;
    options.onProgress?.({ ...copied });
  }
  for await (const schedules of pages((input) => source.listSchedules(input))) {
    for (const schedule of schedules) await destination.createSchedule(schedule);
    copied.schedules += schedules.length;
    options.onProgress?.({ ...copied });
  }
  if (options.runs !== false) {
    // listRuns pages newest first, and the order of inserts does not matter.
    for await (const runs of pages((input) => source.listRuns(input))) {
      // NOTE: one insert per run, so a long history takes minutes (about 1 ms per run on PostgreSQL, an estimate).
      for (const run of runs) await destination.insertRun(run);
      copied.runs += runs.length;
      options.onProgress?.({ ...copied });
    }
  }
  return copied;
}
