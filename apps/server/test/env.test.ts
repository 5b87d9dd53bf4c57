import { describe, expect, it } from 'vitest';

import { EnvError, loadEnv } from '../src/env.js';

function problemsOf(source: NodeJS.ProcessEnv): string[] {
  try {
    loadEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadEnv', () => {
  it('defaults the lease and the heartbeat interval', () => {
    const env = loadEnv({});

    expect(env.SCHEDULER_LEASE_MS).toBe(30_000);
    expect(env.SCHEDULER_HEARTBEAT_INTERVAL_MS).toBe(0);
  });

  it('accepts a heartbeat interval shorter than the lease', () => {
    const env = loadEnv({ SCHEDULER_LEASE_MS: '3000', SCHEDULER_HEARTBEAT_INTERVAL_MS: '500' });

    expect(env.SCHEDULER_HEARTBEAT_INTERVAL_MS).toBe(500);
  });

  it.each(['postgres://scheduler@127.0.0.1:5432/scheduler', 'postgresql://scheduler@db.internal/scheduler', 'file:./data/scheduler.db'])(
    'accepts the database URL %s',
    (url) => {
      expect(loadEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    },
  );

  it('rejects a database URL of another scheme', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://127.0.0.1/scheduler' })).toEqual([
      expect.stringContaining('DATABASE_URL must start with file: (embedded libSQL) or postgres:// (PostgreSQL)'),
    ]);
  });

  it.each([
    [{ SCHEDULER_LEASE_MS: '3000', SCHEDULER_HEARTBEAT_INTERVAL_MS: '3000' }, 'SCHEDULER_HEARTBEAT_INTERVAL_MS (3000) must be shorter than SCHEDULER_LEASE_MS (3000)'],
    [{ SCHEDULER_LEASE_MS: '999' }, 'SCHEDULER_LEASE_MS must be a whole number from 1000 to 3600000 (got "999")'],
    [{ SCHEDULER_HEARTBEAT_INTERVAL_MS: '-1' }, 'SCHEDULER_HEARTBEAT_INTERVAL_MS must be a whole number from 0 to 1200000 (got "-1")'],
  ])('rejects %j', (source, expected) => {
    const problems = problemsOf(source);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});
