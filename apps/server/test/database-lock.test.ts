import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DatabaseInUseError, lockDatabaseFile } from '../src/database-lock.js';
import { ServerProcess, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

describe('lockDatabaseFile', () => {
  let folder: string;
  let path: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'database-lock-'));
    path = join(folder, 'scheduler.db');
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes the pid and releases', () => {
    const release = lockDatabaseFile(path, { pid: 4242 });

    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('4242\n');
    release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('creates a missing folder', () => {
    const nested = join(folder, 'data', 'scheduler.db');

    lockDatabaseFile(nested, { pid: 4242 });

    expect(readFileSync(`${nested}.lock`, 'utf8')).toBe('4242\n');
  });

  it('rejects a second live holder', () => {
    lockDatabaseFile(path, { pid: 4242 });

    const second = () => lockDatabaseFile(path, { pid: 4343, exists: (pid) => pid === 4242 });

    expect(second).toThrow(DatabaseInUseError);
    expect(second).toThrow(/Another API Scheduler process \(PID 4242\) fires schedules from .*scheduler\.db/);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('4242\n');
  });

  it.each([
    ['a holder that is gone', '4242\n'],
    ['an unreadable lock', 'not a pid'],
    ['an empty lock', ''],
  ])('takes over %s', (_case, content) => {
    writeFileSync(`${path}.lock`, content);

    lockDatabaseFile(path, { pid: 4343, exists: () => false });

    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('4343\n');
  });

  it('release leaves a lock it does not hold', () => {
    const release = lockDatabaseFile(path, { pid: 4242 });
    writeFileSync(`${path}.lock`, '4343\n');

    release();

    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('4343\n');
  });
});

describe('a second server on the same file', () => {
  const target = new TargetServer();
  const first = new ServerProcess();

  afterAll(async () => {
    await first.dispose();
    await target.stop();
  });

  it('exits 1 and leaves the first one’s runs alone', async () => {
    await target.start();
    target.on('/slow', (_request, response) => setTimeout(() => response.writeHead(200).end('done'), 6_000));
    await first.start();
    const createdTarget = await first.request('POST', '/targets/', { url: `${target.url}/slow`, method: 'GET' });
    const created = await first.request('POST', '/schedules/', { target_id: createdTarget.body.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 3600 }, status: 'PAUSED' });
    const triggered = await first.request('POST', `/schedules/${created.body.id}/trigger`);
    expect(triggered.status).toBe(202);

    const second = new ServerProcess({ DATABASE_URL: first.databaseUrl });
    try {
      await expect(second.start()).rejects.toThrow(/exited with code 1[\s\S]*Another API Scheduler process \(PID \d+\) fires schedules from/);
    } finally {
      await second.dispose();
    }
    // Still in flight: a second engine would have recorded it INTERRUPTED at its start.
    expect((await first.request('GET', `/runs/${triggered.body.id}`)).body).toMatchObject({ status: 'RUNNING', error_type: null });

    const run = await waitFor(async () => {
      const response = await first.request('GET', `/runs/${triggered.body.id}`);
      return response.body.status === 'RUNNING' ? null : response.body;
    }, 15_000, 'the triggered run to finish');
    expect(run).toMatchObject({ status: 'SUCCESS', status_code: 200, error_type: null });
  }, 60_000);
});
