import { describe, expect, it } from 'vitest';

import { databaseFilePath } from '../src/sqlite/open-database.js';

describe('databaseFilePath', () => {
  const cases: [url: string, path: string | null][] = [
    ['file:./data/scheduler.db', './data/scheduler.db'],
    ['file:data/scheduler.db', 'data/scheduler.db'],
    ['file:/tmp/x/db.sqlite', '/tmp/x/db.sqlite'],
    ['file:///tmp/x/db.sqlite', '/tmp/x/db.sqlite'],
    ['file://localhost/tmp/x/db.sqlite', '/tmp/x/db.sqlite'],
    ['file:/tmp/with%20space/db.sqlite', '/tmp/with space/db.sqlite'],
    ['file::memory:', null],
    [':memory:', null],
    ['libsql://db.example.test', null],
  ];

  for (const [url, path] of cases) {
    it(`maps ${url}`, () => {
      expect(databaseFilePath(url)).toBe(path);
    });
  }
});
