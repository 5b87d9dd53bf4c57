import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { newId } from '@api-scheduler/core';
import { createStore } from '@api-scheduler/db';
import { probePostgresTestServer } from '@api-scheduler/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cli-test-'));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: `file:${join(dataDir, 'db.sqlite')}`, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('api-scheduler CLI', () => {
  it('prints help with exit 0', () => {
    const result = runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: api-scheduler COMMAND');
  });

  it('exits 2 without a command', () => {
    expect(runCli([]).code).toBe(2);
  });

  it('rejects an unknown command with exit 2', () => {
    const result = runCli(['launch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "launch"');
  });

  it('rejects extra arguments with exit 2', () => {
    const result = runCli(['migrate', 'extra']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unexpected argument "extra"');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with file:'],
    [{ SCHEDULER_ROLE: 'boss' }, 'SCHEDULER_ROLE must be all, api or worker'],
  ])('reports bad configuration %j with exit 2', (env, message) => {
    const result = runCli(['migrate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['a path below a regular file', 'file:/etc/passwd/scheduler.db'],
    ['a folder as the file', `file:${tmpdir()}`],
    ['a libsql URL without a host', 'libsql://'],
    // Port 1 on loopback, where nothing listens, so the connection is refused at once.
    ['an unreachable PostgreSQL server', 'postgres://127.0.0.1:1/scheduler'],
    ['an unreachable PostgreSQL server under postgresql:', 'postgresql://127.0.0.1:1/scheduler'],
  ])('explains an unusable database (%s) in one line', (_case, url) => {
    const result = runCli(['migrate'], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot open the database ${url}`);
    expect(result.stderr).toContain('Check DATABASE_URL');
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects a file: URL without a path with exit 2', () => {
    const result = runCli(['migrate'], { DATABASE_URL: 'file:' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL file: needs a path');
  });

  it('migrates and exits 0', () => {
    const result = runCli(['migrate']);
    expect(result.code).toBe(0);
  });

  it.skipIf(postgres.server === null)('migrates a PostgreSQL database and exits 0', async () => {
    const database = await postgres.server!.createDatabase();
    try {
      const first = runCli(['migrate'], { DATABASE_URL: database.url });
      const again = runCli(['migrate'], { DATABASE_URL: database.url });

      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(again.code).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it.skipIf(postgres.server === null)('copies a libSQL database into PostgreSQL', async () => {
    const database = await postgres.server!.createDatabase();
    const source = `file:${join(dataDir, 'copy-source.db')}`;
    try {
      const store = await createStore({ url: source });
      await store.migrate();
      const now = new Date();
      await store.createTarget({ id: newId(), name: 'hook', url: 'http://127.0.0.1:9/hook', method: 'GET', headers: {}, body_template: null, timeout_ms: 5_000, created_at: now, updated_at: now });
      await store.close();

      const copied = runCli(['copy', '--to', database.url], { DATABASE_URL: source, LOG_LEVEL: 'info' });
      const again = runCli(['copy', '--from', source, '--to', database.url]);

      expect(copied.code).toBe(0);
      expect(copied.stdout).toContain('"targets":1');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('The destination database already has targets or schedules');
    } finally {
      await database.drop();
    }
  });

  it('rejects copy to a URL that names no supported database with exit 2', () => {
    const result = runCli(['copy', '--to', 'mysql://x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--to must be a database URL');
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects copy without --to with exit 2', () => {
    const result = runCli(['copy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('copy needs --to URL');
  });

  it('explains a port in use in one line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = runCli(['serve'], { PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).not.toContain('    at ');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
