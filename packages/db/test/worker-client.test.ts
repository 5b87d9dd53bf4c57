import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClient } from '@libsql/client';
import type { Client, Row } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WorkerClient, closeClient } from '../src/sqlite/worker-client.js';

const QUERIES = [
  `SELECT 1 AS a, 'text' AS b, NULL AS c, 2.5 AS d`,
  'SELECT 1',
  `SELECT 1 AS "0", 2 AS "5", 3 AS length, 4 AS a, 5 AS a`,
  `SELECT 'x' AS constructor, 'y' AS toString`,
];

let folder: string;
let driver: Client;
let worker: WorkerClient;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'worker-client-test-'));
  const url = `file:${join(folder, 'rows.db')}`;
  driver = createClient({ url });
  worker = new WorkerClient({ url });
});

afterAll(async () => {
  driver.close();
  await closeClient(worker);
  rmSync(folder, { recursive: true, force: true });
});

/** Collects what drizzle and the store read from a row: values by index, length, and the enumerable names. */
function shapeOf(row: Row) {
  return {
    byIndex: Array.prototype.slice.call(row),
    length: row.length,
    keys: Object.keys(row),
    json: JSON.stringify(row),
    entries: Object.entries(row),
  };
}

describe('WorkerClient rows', () => {
  it.each(QUERIES)('match the driver for %s', async (query) => {
    const expected = (await driver.execute(query)).rows;
    const actual = (await worker.execute(query)).rows;

    expect(actual).toHaveLength(expected.length);
    expect(shapeOf(actual[0]!)).toEqual(shapeOf(expected[0]!));
  });

  it('read beyond their length as undefined', async () => {
    await worker.execute('SELECT 1 AS a, 2 AS b, 3 AS c');
    const [row] = (await worker.execute('SELECT 1 AS a')).rows;

    expect(row![2]).toBeUndefined();
    expect(row!.length).toBe(1);
  });
});
